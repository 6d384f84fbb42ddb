/**
 * The consistency check operators run: `npm run verify` (a separate process, on
 * the service's configuration) and the admin `consistencyReport` query. Both
 * find a refund made at Stripe that our rows never heard of; `--repair` (and the
 * background job) mends it.
 */
import { ConsistencyReportDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { actors, createReservation, eventually, startCheckout } from '../support/scenario';
import { runOperatorCommand } from '../support/operator';
import { startTestServer, type TestServer } from '../support/test-server';

// each check is a separate process (npm run verify), which takes seconds to start on a busy machine
jest.setTimeout(120_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const verify = (...args: string[]) => runOperatorCommand(server, 'verify.ts', args);

it('agrees when we and Stripe agree; finds, reports and repairs a refund we never heard of', async () => {
  const who = await actors(server);
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  await server.settled();
  await eventually(async () => {
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('SUCCEEDED');
  });

  const clean = await verify();
  expect(clean.out).toMatch(/1 payments checked, 0 differences/);
  expect(clean.code).toBe(0);

  // a refund made in the Dashboard whose webhooks never arrive
  server.pauseWebhooks();
  const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
  const external = await server.stripe.refunds.create({ payment_intent: payment.paymentIntentId!, amount: 2500 });
  // (the payment's row is untouched, so the window is widened to include it)
  const from = new Date(Date.now() - 3600_000).toISOString();

  const dirty = await verify('--from', from);
  expect(dirty.code).toBe(1);
  expect(dirty.out).toMatch(/DIFF REFUND_MISSING_HERE/);
  expect(dirty.out).toContain(external.id);
  expect(await server.db.prisma.refund.count({ where: { paymentId: payment.id } })).toBe(0); // reporting writes nothing

  const report = await server.gql(ConsistencyReportDocument, { from }, { token: who.admin });
  expect(report.data!.consistencyReport.differences).toEqual([
    expect.objectContaining({ kind: 'REFUND_MISSING_HERE', paymentId: payment.id, repairable: true }),
  ]);
  const asGuest = await server.gql(ConsistencyReportDocument, { from }, { token: who.guest });
  expect(asGuest.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  const repaired = await verify('--from', from, '--repair');
  expect(repaired.out).toMatch(/0 differences, 1 repaired/);
  expect(repaired.code).toBe(0);
  expect(await server.db.prisma.refund.findFirstOrThrow({ where: { paymentId: payment.id } })).toMatchObject({
    stripeRefundId: external.id,
    amount: 2500,
    policy: 'EXTERNAL',
    status: 'SUCCEEDED',
  });
  expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ refundedAmount: 2500, status: 'PARTIALLY_REFUNDED' });
});

it('explains its usage', async () => {
  const help = await verify('--help');
  expect(help.code).toBe(0);
  expect(help.out).toMatch(/usage: npm run verify/);
  const bad = await verify('--from', 'yesterday-ish');
  expect(bad.code).toBe(2);
  expect(bad.out).toMatch(/--from: "yesterday-ish" is not a date/);
});
