/**
 * Signed events outside Stripe's formats answer 400 and are recorded nowhere
 * (before, a 304-character id or created = 1e16 failed in the database with a
 * 500, which Stripe would redeliver for three days).
 */
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const event = (overrides: Record<string, unknown>) => ({
  id: 'evt_test_format',
  object: 'event',
  type: 'checkout.session.completed',
  created: Math.floor(Date.now() / 1000),
  livemode: false,
  data: { object: { id: 'cs_test_x', object: 'checkout.session', payment_status: 'paid', metadata: {} } },
  ...overrides,
});

describe('event formats', () => {
  it.each([
    ['a 304-character id', { id: `evt_${'a'.repeat(300)}` }, /event id/],
    ['an id without the evt_ prefix', { id: 'cs_test_123' }, /event id/],
    ['an id with a NUL byte', { id: 'evt_\u0000abc' }, /event id/],
    ['created = 1e16', { created: 1e16 }, /created/],
    ['created in milliseconds', { created: Date.now() }, /created/],
    ['created not an integer', { created: 1700000000.5 }, /created/],
    ['created as a string', { created: '1700000000' }, /created/],
    ['a type that is not dotted words', { type: 'Checkout Session Completed' }, /event type/],
    ['a 200-character type', { type: `checkout.${'a'.repeat(200)}` }, /event type/],
    ['no data.object', { data: {} }, /not a Stripe event/],
  ])('refuses %s with 400 and records nothing', async (_label, overrides, reason) => {
    const res = await server.sendWebhook(event(overrides));
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(reason);
    expect(await server.db.prisma.webhookEvent.count()).toBe(0);
  });

  it("accepts an event in Stripe's formats", async () => {
    const res = await server.sendWebhook(event({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', type: 'customer.created', data: { object: { id: 'cus_1' } } }));
    expect(res.status).toBe(200);
    expect(await server.db.prisma.webhookEvent.count()).toBe(1);
  });
});
