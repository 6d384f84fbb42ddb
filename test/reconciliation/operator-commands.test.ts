/**
 * The operator commands stripe:sync and events:replay, each run as its own
 * process on the service's configuration, against what a lost webhook or a
 * failed processing leaves behind.
 */
import { payOnCheckoutPage } from '../support/checkout-browser';
import { runOperatorCommand } from '../support/operator';
import { actors, createReservation, startCheckout, type Actors } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

// each command is a separate process, which takes seconds to start on a busy machine
jest.setTimeout(180_000);

let server: TestServer;
let who: Actors;
beforeAll(async () => {
  server = await startTestServer();
  who = await actors(server);
});
afterAll(() => server.close());

const statusOf = async (paymentId: string) => (await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).status;
const reservationStatus = async (id: string) => (await server.db.prisma.reservation.findUniqueOrThrow({ where: { id } })).status;

it('stripe:sync brings back a payment and a Dashboard refund whose webhooks never came; --dry-run writes nothing', async () => {
  const since = server.clock.now().toISOString();
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  server.pauseWebhooks(); // Stripe's deliveries are lost for good
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  const intent = (await server.stripe.checkout.sessions.retrieve(session.sessionId)).payment_intent as string;
  const refund = await server.stripe.refunds.create({ payment_intent: intent, amount: 1500 });

  const dry = await runOperatorCommand(server, 'stripe-sync.ts', ['--since', since, '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.out).toContain(`1 reservations would change: ${reservationId}`);
  expect(await statusOf(session.paymentId)).toBe('PENDING');
  expect(await server.db.prisma.refund.count({ where: { paymentId: session.paymentId } })).toBe(0);

  const run = await runOperatorCommand(server, 'stripe-sync.ts', ['--since', since]);
  expect(run.code).toBe(0);
  expect(run.out).toMatch(/reservations changed/);
  expect(await statusOf(session.paymentId)).toBe('PARTIALLY_REFUNDED');
  expect(await reservationStatus(reservationId)).toBe('CONFIRMED');
  expect(await server.db.prisma.refund.findFirstOrThrow({ where: { paymentId: session.paymentId } })).toMatchObject({
    stripeRefundId: refund.id,
    amount: 1500,
    policy: 'EXTERNAL',
    status: 'SUCCEEDED',
  });
  // a second run has nothing left to do
  const again = await runOperatorCommand(server, 'stripe-sync.ts', ['--since', since]);
  expect(again.out).toMatch(/0 reservations changed/);
});

it('events:replay processes an event never received, by its id, and --failed retries failed processing now', async () => {
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  const paused = server.pauseWebhooks();
  await server.stripe.checkout.sessions.expire(session.sessionId);
  const expired = (await server.stripe.events.list({ type: 'checkout.session.expired', limit: 10 })).data.find(
    (e) => (e.data.object as { id: string }).id === session.sessionId,
  )!;
  const listed = await runOperatorCommand(server, 'events-replay.ts', [expired.id, '--dry-run']);
  expect(listed.out).toContain(`would process ${expired.id}`);
  expect(await statusOf(session.paymentId)).toBe('PENDING');
  const replayed = await runOperatorCommand(server, 'events-replay.ts', [expired.id]);
  expect(replayed.code).toBe(0);
  expect(replayed.out).toContain(`${expired.id}: processed`);
  expect(await statusOf(session.paymentId)).toBe('EXPIRED');
  expect(await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: expired.id } })).toMatchObject({ result: 'PROCESSED' });
  await paused.resume();
  await server.settled();

  // a processing failure: retried now by --failed, not after its backoff
  const second = await createReservation(server, who.admin);
  const secondSession = await startCheckout(server, who.guest, second);
  await server.db.prisma.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION refuse_expiry() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated failure'; END $$ LANGUAGE plpgsql`);
  await server.db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_expiry BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION refuse_expiry()`);
  try {
    await server.stripe.checkout.sessions.expire(secondSession.sessionId);
    await server.settled();
  } finally {
    // the worker's own retry must not get there first: it waits, the operator does not
    await server.app.webhookWorker.stop();
    await server.db.prisma.$executeRawUnsafe(`DROP TRIGGER refuse_expiry ON payments`);
  }
  try {
    const failed = await server.db.prisma.webhookEvent.findFirstOrThrow({ where: { result: 'FAILED', processedAt: null } });
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(server.clock.now().getTime());
    const retried = await runOperatorCommand(server, 'events-replay.ts', ['--failed']);
    expect(retried.code).toBe(0);
    expect(retried.out).toMatch(/1 processed/);
    expect(await statusOf(secondSession.paymentId)).toBe('EXPIRED');
  } finally {
    server.app.webhookWorker.start();
  }
});

it('each command explains itself, and refuses what it does not understand', async () => {
  for (const script of ['stripe-sync.ts', 'events-replay.ts', 'verify.ts', 'token.ts']) {
    const help = await runOperatorCommand(server, script, ['--help']);
    expect({ script, code: help.code }).toEqual({ script, code: 0 });
    expect(help.out).toMatch(/^usage: npm run /);
  }
  expect((await runOperatorCommand(server, 'stripe-sync.ts', [])).code).toBe(2);
  expect((await runOperatorCommand(server, 'events-replay.ts', ['--failed', '--since', '2026-01-01'])).code).toBe(2);
});
