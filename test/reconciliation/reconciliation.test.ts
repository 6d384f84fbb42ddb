import { payOnCheckoutPage } from '../support/checkout-browser';
import { createReservation, startCheckout, startWithActors, type Actors } from '../support/scenario';
import type { TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => ({ server, who } = await startWithActors()));
afterAll(() => server.close());

const statusOf = async (paymentId: string) => (await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).status;
const reservationStatus = async (id: string) => (await server.db.prisma.reservation.findUniqueOrThrow({ where: { id } })).status;

describe('missed webhooks are caught up', () => {
  it('a pending payment whose events never arrived is re-read from Stripe and confirmed, once', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const paused = server.pauseWebhooks(); // Stripe's deliveries are lost
    await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    expect(await statusOf(session.paymentId)).toBe('PENDING');

    expect(await server.app.reconciliation.reconcilePendingPayments(0)).toBeGreaterThanOrEqual(1);
    expect(await statusOf(session.paymentId)).toBe('SUCCEEDED');
    expect(await reservationStatus(reservationId)).toBe('CONFIRMED');
    // nothing more to do the second time, and the late deliveries change nothing
    expect(await server.app.reconciliation.reconcilePendingPayments(0)).toBe(0);
    const before = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    await paused.resume();
    await server.settled();
    const completed = await server.db.prisma.webhookEvent.findMany({ where: { type: 'checkout.session.completed', paymentId: session.paymentId } });
    expect(completed.map((e) => e.result)).toEqual(['PROCESSED']);
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).toEqual(before);
  });

  it('an expired session and a failed delayed payment are applied too; open sessions are left alone', async () => {
    const expiredRes = await createReservation(server, who.admin);
    const expired = await startCheckout(server, who.guest, expiredRes);
    const failedRes = await createReservation(server, who.admin);
    const failed = await startCheckout(server, who.guest, failedRes);
    const openRes = await createReservation(server, who.admin);
    const open = await startCheckout(server, who.guest, openRes);
    const paused = server.pauseWebhooks();
    await server.stripe.checkout.sessions.expire(expired.sessionId);
    await payOnCheckoutPage(failed.url, { iban: 'DE62370400440532013001' });
    await new Promise((r) => setTimeout(r, 500)); // the delayed method settles
    await server.app.reconciliation.reconcilePendingPayments(0);
    expect(await statusOf(expired.paymentId)).toBe('EXPIRED');
    expect(await statusOf(failed.paymentId)).toBe('FAILED');
    expect(await statusOf(open.paymentId)).toBe('PENDING');
    // the real deliveries, when they finally come, change nothing
    await paused.resume();
    await server.settled();
    expect(await statusOf(expired.paymentId)).toBe('EXPIRED');
    expect(await statusOf(failed.paymentId)).toBe('FAILED');
  });

  it('events Stripe failed to deliver are replayed from its Events API', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const paused = server.pauseWebhooks();
    await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    const replayed = await server.app.reconciliation.replayUndeliveredEvents();
    expect(replayed).toBeGreaterThanOrEqual(1);
    expect(await statusOf(session.paymentId)).toBe('SUCCEEDED');
    expect(await reservationStatus(reservationId)).toBe('CONFIRMED');
    // a second pass finds them all recorded
    await server.app.reconciliation.replayUndeliveredEvents();
    const completed = await server.db.prisma.webhookEvent.findMany({ where: { type: 'checkout.session.completed', paymentId: session.paymentId } });
    expect(completed).toHaveLength(1);
    await paused.resume();
    await server.settled();
    expect(await server.db.prisma.webhookEvent.count({ where: { type: 'checkout.session.completed', paymentId: session.paymentId } })).toBe(1);
  });
});

describe('refunds interrupted before Stripe answered', () => {
  it('are completed with their own idempotency key: one Stripe refund, the reservation cancelled as the policy says', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    await server.settled();
    expect(await statusOf(session.paymentId)).toBe('SUCCEEDED');
    // the state a crash during the Stripe call leaves: the claim, reserved, without Stripe's answer
    const claim = await server.db.prisma.refund.create({
      data: { paymentId: session.paymentId, amount: 24000, currency: 'EUR', status: 'PENDING', policy: 'FULL', requestedBy: 'guest-1', idempotencyKey: `refund:${session.paymentId}:crashed`, createdAt: new Date(Date.now() - 10 * 60_000) },
    });
    await server.db.prisma.payment.update({ where: { id: session.paymentId }, data: { refundedAmount: 24000, status: 'REFUNDED' } });

    expect(await server.app.reconciliation.completeUnconfirmedRefunds()).toBe(1);
    const row = await server.db.prisma.refund.findUniqueOrThrow({ where: { id: claim.id } });
    expect(row.status).toBe('SUCCEEDED');
    expect(row.stripeRefundId).toMatch(/^re_/);
    expect(await reservationStatus(reservationId)).toBe('CANCELLED');
    expect(await server.app.reconciliation.completeUnconfirmedRefunds()).toBe(0);
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect((await server.stripe.refunds.list({ payment_intent: payment.paymentIntentId! })).data).toHaveLength(1);
  });
});

describe('housekeeping', () => {
  it('expires unpaid reservations past their hold, and their open sessions at Stripe', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const fresh = await createReservation(server, who.admin);
    await server.db.prisma.reservation.update({ where: { id: reservationId }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });
    expect(await server.app.reconciliation.expireLapsedHolds()).toBeGreaterThanOrEqual(1);
    expect(await reservationStatus(reservationId)).toBe('EXPIRED');
    expect(await reservationStatus(fresh)).toBe('PENDING');
    expect((await server.stripe.checkout.sessions.retrieve(session.sessionId)).status).toBe('expired');
  });

  it('deletes webhook events older than 90 days and keeps the rest', async () => {
    const old = new Date(Date.now() - 91 * 86_400_000);
    await server.db.prisma.webhookEvent.createMany({
      data: [
        { id: 'evt_old_retention', type: 'customer.created', payloadSha256: 'a'.repeat(64), stripeCreatedAt: old, receivedAt: old },
        { id: 'evt_new_retention', type: 'customer.created', payloadSha256: 'b'.repeat(64), stripeCreatedAt: new Date() },
      ],
    });
    expect(await server.app.reconciliation.purgeOldRecords()).toBe(1);
    expect(await server.db.prisma.webhookEvent.findUnique({ where: { id: 'evt_old_retention' } })).toBeNull();
    expect(await server.db.prisma.webhookEvent.findUnique({ where: { id: 'evt_new_retention' } })).not.toBeNull();
  });
});
