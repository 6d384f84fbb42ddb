/**
 * Money and bookings never disagree when Stripe's answer is lost: named
 * regression tests for the four cases of issue 10, each reproducing the lost
 * answer with the emulator's fault injection (the effect happens at Stripe, the
 * answer never arrives).
 */
import type Stripe from 'stripe';
import { CreateCheckoutSessionDocument, PaymentStatusDocument, RefundPaymentDocument, RetryPaymentDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { actors, createReservation, eventually, startCheckout, type Actors } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => {
  server = await startTestServer();
  who = await actors(server);
});
afterAll(() => server.close());

const DAY = 86_400_000;
/** Every SDK try of the next refund call is executed by Stripe and its answer lost (2 SDK retries + the first). */
const loseRefundAnswers = () => server.emulator.faults.inject({ method: 'POST', path: '/v1/refunds', kind: 'lost_answer', times: 3 });

async function paidReservation(amount = 24000, checkInDays = 30) {
  const reservationId = await createReservation(server, who.admin, 'guest-1', amount, checkInDays);
  const session = await startCheckout(server, who.guest, reservationId);
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  await server.settled();
  await eventually(async () => {
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  });
  const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
  return { reservationId, paymentId: payment.id, paymentIntentId: payment.paymentIntentId! };
}

function refund(input: { paymentId: string; amount?: number; idempotencyKey?: string }, token = who.guest) {
  return server.gql(RefundPaymentDocument, { input }, { token });
}

async function refundsAtStripe(paymentIntentId: string): Promise<Stripe.Refund[]> {
  return (await server.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })).data;
}

const reservationStatus = async (id: string) => (await server.db.prisma.reservation.findUniqueOrThrow({ where: { id } })).status;

describe('case 1: a policy refund whose answer is lost still cancels the booking', () => {
  it('the webhook that reveals the refund cancels the reservation; the next request says ALREADY_REFUNDED', async () => {
    const { reservationId, paymentId, paymentIntentId } = await paidReservation();
    const held = server.pauseWebhooks(); // Stripe's events come after the call has given up
    loseRefundAnswers();
    const res = await refund({ paymentId });
    expect(res.errors).toBeUndefined();
    expect(res.data!.refundPayment).toMatchObject({ status: 'PENDING', stripeRefundId: null, amount: 24000, policy: 'FULL' });
    expect(await reservationStatus(reservationId)).toBe('CONFIRMED');
    // Stripe did refund; its events bring the news
    await held.resume();
    await server.settled();
    await eventually(async () => expect(await reservationStatus(reservationId)).toBe('CANCELLED'));
    const row = await server.db.prisma.refund.findUniqueOrThrow({ where: { id: res.data!.refundPayment.id } });
    expect(row.status).toBe('SUCCEEDED');
    expect(row.stripeRefundId).toMatch(/^re_/);
    expect(await refundsAtStripe(paymentIntentId)).toHaveLength(1);
    const again = await refund({ paymentId });
    expect(again.errors?.[0]?.extensions?.code).toBe('ALREADY_REFUNDED');
    expect(await reservationStatus(reservationId)).toBe('CANCELLED');
  });

  it('with no webhook at all (the instance died while Stripe answered), the job completes it and cancels', async () => {
    const { reservationId, paymentId, paymentIntentId } = await paidReservation();
    const paused = server.pauseWebhooks();
    loseRefundAnswers();
    const res = await refund({ paymentId });
    expect(res.data!.refundPayment).toMatchObject({ status: 'PENDING', stripeRefundId: null });
    expect(await reservationStatus(reservationId)).toBe('CONFIRMED'); // nothing is decided on an unconfirmed claim
    expect(await server.app.reconciliation.completeUnconfirmedRefunds(0)).toBe(1);
    expect(await reservationStatus(reservationId)).toBe('CANCELLED');
    expect(await refundsAtStripe(paymentIntentId)).toHaveLength(1);
    await paused.resume();
    await server.settled();
    expect(await refundsAtStripe(paymentIntentId)).toHaveLength(1);
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(1);
  });
});

describe('case 2: an unknown outcome is never treated as a refusal', () => {
  it('the amount stays held; a re-send without the key is refused; the same key completes it: Stripe ends at 20,000', async () => {
    const { paymentId, paymentIntentId } = await paidReservation(40_000);
    const paused = server.pauseWebhooks();
    loseRefundAnswers();
    const first = await refund({ paymentId, amount: 20_000, idempotencyKey: 'ticket-20k-a' }, who.admin);
    expect(first.errors).toBeUndefined();
    expect(first.data!.refundPayment).toMatchObject({ status: 'PENDING', stripeRefundId: null, amount: 20_000 });
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 20_000 });

    const resent = await refund({ paymentId, amount: 20_000 }, who.admin);
    expect(resent.errors?.[0]?.extensions?.code).toBe('PAYMENT_PROVIDER_PENDING');
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(1);

    const sameKey = await refund({ paymentId, amount: 20_000, idempotencyKey: 'ticket-20k-a' }, who.admin);
    expect(sameKey.data!.refundPayment).toMatchObject({ id: first.data!.refundPayment.id, status: 'SUCCEEDED' });
    const atStripe = await refundsAtStripe(paymentIntentId);
    expect(atStripe.map((r) => r.amount)).toEqual([20_000]);
    await paused.resume();
    await server.settled();
    expect((await refundsAtStripe(paymentIntentId)).reduce((sum, r) => sum + r.amount, 0)).toBe(20_000);
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 20_000, status: 'PARTIALLY_REFUNDED' });
  });

  it('a checkout whose answer is lost is PAYMENT_PROVIDER_PENDING; calling again gets the one session Stripe made', async () => {
    const reservationId = await createReservation(server, who.admin);
    server.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'lost_answer', times: 3 });
    const lost = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.guest });
    expect(lost.errors?.[0]?.extensions?.code).toBe('PAYMENT_PROVIDER_PENDING');
    const session = await startCheckout(server, who.guest, reservationId);
    const atStripe = (await server.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.client_reference_id === reservationId);
    expect(atStripe.map((s) => s.id)).toEqual([session.sessionId]);
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
  });
});

describe('case 3: idempotency keys like Stripe’s', () => {
  it('concurrent calls with one key all get the same refund, made once', async () => {
    const { paymentId, paymentIntentId } = await paidReservation();
    const results = await Promise.all(Array.from({ length: 6 }, () => refund({ paymentId, amount: 3000, idempotencyKey: 'burst-key-1' }, who.admin)));
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data!.refundPayment.id)).size).toBe(1);
    expect((await refundsAtStripe(paymentIntentId)).map((r) => r.amount)).toEqual([3000]);
  });

  it('the same key with another amount is refused, naming the difference, and writes nothing', async () => {
    const { paymentId } = await paidReservation();
    expect((await refund({ paymentId, amount: 1000, idempotencyKey: 'mismatch-key' }, who.admin)).errors).toBeUndefined();
    const other = await refund({ paymentId, amount: 2000, idempotencyKey: 'mismatch-key' }, who.admin);
    expect(other.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(other.errors?.[0]?.message).toMatch(/amount 1000/);
    expect(other.errors?.[0]?.extensions?.fields).toEqual([expect.objectContaining({ field: 'input.amount' })]);
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(1);
  });

  it('a key whose first try Stripe refused is tried again when sent again', async () => {
    const { paymentId, paymentIntentId } = await paidReservation();
    server.emulator.faults.inject({ method: 'POST', path: '/v1/refunds', kind: 'rate_limit', times: 1 });
    const refused = await refund({ paymentId, amount: 500, idempotencyKey: 'refused-then-ok' }, who.admin);
    expect(refused.errors?.[0]?.extensions?.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    expect((await server.db.prisma.refund.findMany({ where: { paymentId } })).map((r) => r.status)).toEqual(['FAILED']);
    const retried = await refund({ paymentId, amount: 500, idempotencyKey: 'refused-then-ok' }, who.admin);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.refundPayment).toMatchObject({ status: 'SUCCEEDED', amount: 500 });
    expect((await refundsAtStripe(paymentIntentId)).map((r) => r.amount)).toEqual([500]);
    // and once it succeeded, the key answers with that refund
    const third = await refund({ paymentId, amount: 500, idempotencyKey: 'refused-then-ok' }, who.admin);
    expect(third.data!.refundPayment.id).toBe(retried.data!.refundPayment.id);
  });

  it('keys are kept at least 24 hours', async () => {
    const { paymentId } = await paidReservation();
    const first = await refund({ paymentId, amount: 700, idempotencyKey: 'kept-a-day' }, who.admin);
    await server.clock.advance(25 * 3600_000);
    who = await actors(server); // tokens minted a day ago have expired
    await server.app.reconciliation.purgeOldRecords();
    const later = await refund({ paymentId, amount: 700, idempotencyKey: 'kept-a-day' }, who.admin);
    expect(later.data!.refundPayment.id).toBe(first.data!.refundPayment.id);
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(1);
  });
});

describe('case 4: Stripe no longer knows what we hold (the emulator reset, another account or mode)', () => {
  it('createCheckoutSession cancels the vanished attempt (resource_missing) and starts the next one', async () => {
    const reservationId = await createReservation(server, who.admin);
    const first = await startCheckout(server, who.guest, reservationId);
    await server.restart({ freshStripe: true });
    who = await actors(server);
    const next = await startCheckout(server, who.guest, reservationId);
    expect(next.attempt).toBe(2);
    expect(next.sessionId).not.toBe(first.sessionId);
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: first.paymentId } })).toMatchObject({
      status: 'CANCELED',
      failureCode: 'resource_missing',
    });
    await payOnCheckoutPage(next.url, { card: '4242424242424242' });
    await server.settled();
    await eventually(async () => expect(await reservationStatus(reservationId)).toBe('CONFIRMED'));
  });

  it('reconciliation finds it too: canRetry is true and retryPayment works', async () => {
    const reservationId = await createReservation(server, who.admin);
    const first = await startCheckout(server, who.guest, reservationId);
    await server.restart({ freshStripe: true });
    who = await actors(server);
    await server.app.reconciliation.reconcilePendingPayments(0);
    const status = await server.gql(PaymentStatusDocument, { reservationId }, { token: who.guest });
    expect(status.data!.paymentStatus).toMatchObject({ canRetry: true });
    expect(status.data!.paymentStatus.attempts[0]).toMatchObject({ id: first.paymentId, status: 'CANCELED', failureCode: 'resource_missing' });
    const retried = await server.gql(RetryPaymentDocument, { reservationId }, { token: who.guest });
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.retryPayment.attempt).toBe(2);
  });

  it('a refund of a payment Stripe no longer knows is refused and records nothing', async () => {
    const { paymentId } = await paidReservation();
    await server.restart({ freshStripe: true });
    who = await actors(server);
    const res = await refund({ paymentId });
    expect(res.errors?.[0]?.extensions?.code).toBe('PAYMENT_PROVIDER_ERROR');
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(0);
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 0, status: 'SUCCEEDED' });
  });
});
