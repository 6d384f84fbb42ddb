import type Stripe from 'stripe';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { startWithActors, createReservation, startCheckout, type Actors } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => ({ server, who } = await startWithActors()));
afterAll(() => server.close());

/** A reservation paid through the page; returns its ids and the real events Stripe produced. */
async function paidReservation() {
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  await server.settled();
  return { reservationId, session };
}

async function eventOf(type: string, sessionId: string): Promise<Stripe.Event> {
  const events = await server.stripe.events.list({ type, limit: 100 });
  const event = events.data.find((e) => (e.data.object as { id?: string }).id === sessionId);
  if (!event) throw new Error(`no ${type} for ${sessionId}`);
  return event;
}

/** A session-shaped event that Stripe never sent, signed with the right secret. */
function fakeEvent(type: string, object: Record<string, unknown>, id = `evt_test_${Math.random().toString(36).slice(2)}`) {
  return { id, object: 'event', type, created: Math.floor(Date.now() / 1000), livemode: false, data: { object }, api_version: '2025-01-01' };
}

describe('signature checks: 400 with a reason, nothing recorded', () => {
  const body = fakeEvent('checkout.session.completed', { id: 'cs_forged', object: 'checkout.session' });

  it('refuses a missing signature', async () => {
    const res = await server.sendWebhook(body, { signature: null });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/missing Stripe-Signature/);
  });

  it('refuses a signature made with another secret', async () => {
    const res = await server.sendWebhook(body, { secret: 'whsec_forged_forged_forged' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/does not match/);
  });

  it('refuses a garbage signature header', async () => {
    const res = await server.sendWebhook(body, { signature: 't=abc,v1=zzz' });
    expect(res.status).toBe(400);
  });

  it('refuses a stale signature (older than 300 s)', async () => {
    const res = await server.sendWebhook(body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/tolerance/);
  });

  it('refuses a signed body that is not JSON, and JSON that is not an event', async () => {
    expect((await server.sendWebhook('{not json')).status).toBe(400);
    const notEvent = await server.sendWebhook({ hello: 'world' });
    expect(notEvent.status).toBe(400);
    expect(notEvent.body.error).toMatch(/not a Stripe event/);
  });

  afterAll(async () => {
    expect(await server.db.prisma.webhookEvent.count({ where: { id: body.id } })).toBe(0);
  });
});

describe('recording and idempotency', () => {
  it('records an event for a session this service did not create as IGNORED, with 200', async () => {
    const event = fakeEvent('checkout.session.completed', {
      id: 'cs_test_not_ours',
      object: 'checkout.session',
      payment_status: 'paid',
      metadata: {},
    });
    const res = await server.sendWebhook(event);
    expect(res.status).toBe(200);
    await server.settled();
    const row = await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(row).toMatchObject({ result: 'IGNORED', type: 'checkout.session.completed' });
    expect(row.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records other event types as IGNORED', async () => {
    const event = fakeEvent('customer.created', { id: 'cus_1', object: 'customer' });
    expect((await server.sendWebhook(event)).status).toBe(200);
    await server.settled();
    expect((await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).result).toBe('IGNORED');
  });

  it('a duplicate delivery answers 2xx and changes nothing', async () => {
    const { reservationId, session } = await paidReservation();
    const completed = await eventOf('checkout.session.completed', session.sessionId);
    const before = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    const again = await server.sendWebhook(completed);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
    await server.settled();
    const after = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await server.db.prisma.webhookEvent.count({ where: { id: completed.id } })).toBe(1);
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  });

  it('a late expired after completed changes nothing (status only moves forward)', async () => {
    const { session } = await paidReservation();
    const completed = await eventOf('checkout.session.completed', session.sessionId);
    const lateExpired = fakeEvent('checkout.session.expired', {
      ...(completed.data.object as object),
      status: 'expired',
      payment_status: 'unpaid',
    });
    const res = await server.sendWebhook(lateExpired);
    expect(res.status).toBe(200);
    await server.settled();
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(payment.status).toBe('SUCCEEDED');
  });
});

describe('concurrency and ordering', () => {
  /** An open session and a `completed` event for it, not delivered by the emulator. */
  async function openSessionWithCompletedEvent() {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const atStripe = await server.stripe.checkout.sessions.retrieve(session.sessionId);
    const paidObject = { ...atStripe, status: 'complete', payment_status: 'paid', payment_intent: `pi_test_${session.paymentId.slice(0, 8)}` };
    return { reservationId, session, paidObject };
  }

  it('the same completed event delivered twice in parallel confirms once', async () => {
    const { reservationId, session, paidObject } = await openSessionWithCompletedEvent();
    const event = fakeEvent('checkout.session.completed', paidObject);
    const [a, b] = await Promise.all([server.sendWebhook(event), server.sendWebhook(event)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.duplicate, b.body.duplicate].sort()).toEqual([false, true]);
    await server.settled();
    expect(await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ result: 'PROCESSED', attempts: 0 });
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('SUCCEEDED');
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  });

  it('completed and async_payment_succeeded for one session, in parallel, confirm once', async () => {
    const { reservationId, session, paidObject } = await openSessionWithCompletedEvent();
    const completed = fakeEvent('checkout.session.completed', paidObject);
    const asyncOk = fakeEvent('checkout.session.async_payment_succeeded', paidObject);
    const results = await Promise.all([server.sendWebhook(completed), server.sendWebhook(asyncOk)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    await server.settled();
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(payment.status).toBe('SUCCEEDED');
    expect(payment.paymentIntentId).toBe(paidObject.payment_intent);
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
    const rows = await server.db.prisma.webhookEvent.findMany({ where: { id: { in: [completed.id, asyncOk.id] } } });
    expect(rows.map((r) => r.result)).toEqual(['PROCESSED', 'PROCESSED']);
  });

  it('an expired session makes the attempt EXPIRED', async () => {
    const { session, paidObject } = await openSessionWithCompletedEvent();
    const expired = fakeEvent('checkout.session.expired', { ...paidObject, status: 'expired', payment_status: 'unpaid', payment_intent: null });
    expect((await server.sendWebhook(expired)).status).toBe(200);
    await server.settled();
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('EXPIRED');
  });

  it('a dispute flags the payment', async () => {
    const { session } = await paidReservation();
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    const intent = await server.stripe.paymentIntents.retrieve(payment.paymentIntentId!);
    server.emulator.openDispute(intent.latest_charge as string);
    await server.settled();
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).disputed).toBe(true);
  });
});

describe('failures', () => {
  it('a 2xx means durably received: an event acknowledged while no worker runs is processed once one does', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const atStripe = await server.stripe.checkout.sessions.retrieve(session.sessionId);
    const event = fakeEvent('checkout.session.completed', { ...atStripe, status: 'complete', payment_status: 'paid', payment_intent: 'pi_test_acked_first' });
    await server.app.webhookWorker.stop(); // as if every instance's worker were down
    try {
      expect((await server.sendWebhook(event)).status).toBe(200);
      expect(await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ processedAt: null, result: null });
      expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('PENDING');
    } finally {
      server.app.webhookWorker.start();
    }
    await server.settled();
    expect(await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ result: 'PROCESSED' });
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  });

  it('a processing failure rolls back, is noted on the row, and is retried with backoff until it succeeds', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const atStripe = await server.stripe.checkout.sessions.retrieve(session.sessionId);
    const event = fakeEvent('checkout.session.completed', { ...atStripe, status: 'complete', payment_status: 'paid', payment_intent: 'pi_test_fail_then_ok' });

    // the database refuses the reservation's confirmation, for now
    await server.db.prisma.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_confirm() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'simulated failure'; END $$ LANGUAGE plpgsql`);
    await server.db.prisma.$executeRawUnsafe(
      `CREATE TRIGGER refuse_confirm BEFORE UPDATE ON reservations FOR EACH ROW EXECUTE FUNCTION refuse_confirm()`,
    );
    let dropped = false;
    try {
      const acked = await server.sendWebhook(event);
      expect(acked.status).toBe(200); // received durably: processing is our worker's business, not Stripe's
      await server.settled();
      const row = await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
      expect(row).toMatchObject({ result: 'FAILED', processedAt: null, attempts: 1 });
      expect(row.error).toMatch(/simulated failure/);
      expect(row.nextAttemptAt.getTime()).toBeGreaterThan(server.clock.now().getTime());
      // all effects rolled back
      expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('PENDING');

      // still failing when its retry comes due: the backoff grows
      await server.clock.advance(1_500);
      await server.settled();
      const again = await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
      expect(again).toMatchObject({ result: 'FAILED', attempts: 2 });
      expect(again.nextAttemptAt.getTime() - server.clock.now().getTime()).toBeGreaterThan(1_000);

      await server.db.prisma.$executeRawUnsafe(`DROP TRIGGER refuse_confirm ON reservations`);
      dropped = true;
      await server.clock.advance(2_500);
      await server.settled();
    } finally {
      if (!dropped) await server.db.prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS refuse_confirm ON reservations`);
    }
    expect(await server.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ result: 'PROCESSED', error: null, attempts: 2 });
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
    // a redelivery by Stripe meanwhile was only a duplicate
    expect((await server.sendWebhook(event)).body).toEqual({ received: true, duplicate: true });
  });

  it('accepts a signature from any of several configured secrets (rotation)', async () => {
    const rotated = await startTestServer({ STRIPE_WEBHOOK_SECRET: 'whsec_old_secret_1,whsec_new_secret_2' });
    try {
      const event = fakeEvent('customer.created', { id: 'cus_2', object: 'customer' });
      expect((await rotated.sendWebhook(event, { secret: 'whsec_new_secret_2' })).status).toBe(200);
      const event2 = fakeEvent('customer.created', { id: 'cus_3', object: 'customer' });
      expect((await rotated.sendWebhook(event2, { secret: 'whsec_old_secret_1' })).status).toBe(200);
      expect((await rotated.sendWebhook(event2, { secret: 'whsec_other' })).status).toBe(400);
    } finally {
      await rotated.close();
    }
  });
});
