import { PaymentStatusDocument, RetryPaymentDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { startWithActors, createReservation, eventually, paymentStatus, startCheckout, type Actors } from '../support/scenario';
import { type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => ({ server, who } = await startWithActors()));
afterAll(() => server.close());

const FAILING_IBAN = 'DE62370400440532013001';

async function failAttempt(url: string, paymentId: string) {
  await payOnCheckoutPage(url, { iban: FAILING_IBAN });
  await eventually(async () => {
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).status).toBe('FAILED');
  });
  await server.settled();
}

async function retry(reservationId: string, token = who.guest) {
  return server.gql(RetryPaymentDocument, { reservationId }, { token });
}

it('three failed attempts, each retried with a new session, then RETRY_LIMIT_REACHED', async () => {
  const reservationId = await createReservation(server, who.admin);
  let session = await startCheckout(server, who.guest, reservationId);
  const sessions = [session.sessionId];
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    expect(session.attempt).toBe(attempt);
    await failAttempt(session.url, session.paymentId);
    const status = await paymentStatus(server, who.guest, reservationId);
    expect(status).toMatchObject({ state: 'FAILED', attemptCount: attempt, attemptsRemaining: 3 - attempt, canRetry: attempt < 3 });
    expect(status.attempts.map((a) => a.attempt)).toEqual(Array.from({ length: attempt }, (_, i) => attempt - i));
    if (attempt < 3) {
      const res = await retry(reservationId);
      expect(res.errors).toBeUndefined();
      session = res.data!.retryPayment;
      sessions.push(session.sessionId);
    }
  }
  expect(new Set(sessions).size).toBe(3);
  const rows = await server.db.prisma.payment.findMany({ where: { reservationId }, orderBy: { attempt: 'asc' } });
  expect(rows.map((r) => [r.attempt, r.status, r.amount, r.idempotencyKey])).toEqual([
    [1, 'FAILED', 24000, `checkout-session:${reservationId}:1`],
    [2, 'FAILED', 24000, `checkout-session:${reservationId}:2`],
    [3, 'FAILED', 24000, `checkout-session:${reservationId}:3`],
  ]);
  const limit = await retry(reservationId);
  expect(limit.errors?.[0]?.extensions?.code).toBe('RETRY_LIMIT_REACHED');
  expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(3);
});

it('retry after the session expired at Stripe, then the new session pays', async () => {
  const reservationId = await createReservation(server, who.admin);
  const first = await startCheckout(server, who.guest, reservationId);
  await server.stripe.checkout.sessions.expire(first.sessionId);
  await server.settled();
  expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: first.paymentId } })).status).toBe('EXPIRED');
  const before = await paymentStatus(server, who.guest, reservationId);
  expect(before).toMatchObject({ state: 'EXPIRED', canRetry: true });

  const res = await retry(reservationId);
  expect(res.errors).toBeUndefined();
  const second = res.data!.retryPayment;
  expect(second).toMatchObject({ attempt: 2, amount: 24000 });
  expect(second.sessionId).not.toBe(first.sessionId);
  await payOnCheckoutPage(second.url, { card: '4242424242424242' });
  await server.settled();
  const after = await paymentStatus(server, who.guest, reservationId);
  expect(after).toMatchObject({ state: 'PAID', canRetry: false, amountPaid: 24000 });
  expect(after.reservation.status).toBe('CONFIRMED');
});

it('refuses a retry while the session is open and unexpired, and for another guest', async () => {
  const reservationId = await createReservation(server, who.admin);
  await startCheckout(server, who.guest, reservationId);
  const res = await retry(reservationId);
  expect(res.errors?.[0]?.extensions?.code).toBe('RESERVATION_NOT_PAYABLE');
  expect(res.errors?.[0]?.message).toMatch(/still open/);
  expect((await paymentStatus(server, who.guest, reservationId)).canRetry).toBe(false);
  const other = await retry(reservationId, who.otherGuest);
  expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
});

it('refuses a retry after the hold with HOLD_EXPIRED and expires the reservation', async () => {
  const reservationId = await createReservation(server, who.admin);
  const first = await startCheckout(server, who.guest, reservationId);
  await failAttempt(first.url, first.paymentId);
  await server.db.prisma.reservation.update({ where: { id: reservationId }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });
  const res = await retry(reservationId);
  expect(res.errors?.[0]?.extensions?.code).toBe('HOLD_EXPIRED');
  expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('EXPIRED');
  const status = await paymentStatus(server, who.guest, reservationId);
  expect(status).toMatchObject({ state: 'EXPIRED', canRetry: false });
});

it('a paymentStatus after the hold expires the reservation and its open session at Stripe', async () => {
  const reservationId = await createReservation(server, who.admin);
  const first = await startCheckout(server, who.guest, reservationId);
  await server.db.prisma.reservation.update({ where: { id: reservationId }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });
  const status = await paymentStatus(server, who.guest, reservationId);
  expect(status.state).toBe('EXPIRED');
  expect(status.reservation.status).toBe('EXPIRED');
  expect((await server.stripe.checkout.sessions.retrieve(first.sessionId)).status).toBe('expired');
  await server.settled();
  expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: first.paymentId } })).status).toBe('EXPIRED');
});

it('concurrent retries create one attempt', async () => {
  const reservationId = await createReservation(server, who.admin);
  const first = await startCheckout(server, who.guest, reservationId);
  await failAttempt(first.url, first.paymentId);
  const results = await Promise.all(Array.from({ length: 8 }, () => retry(reservationId)));
  const ok = results.filter((r) => !r.errors);
  expect(ok.length).toBeGreaterThanOrEqual(1);
  for (const r of results.filter((x) => x.errors)) expect(r.errors?.[0]?.extensions?.code).toBe('RESERVATION_NOT_PAYABLE');
  expect(new Set(ok.map((r) => r.data!.retryPayment.sessionId)).size).toBe(1);
  expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(2);
});

it('the old session paid while its webhook is late: the retry answers ALREADY_PAID and the webhook confirms', async () => {
  const reservationId = await createReservation(server, who.admin);
  const first = await startCheckout(server, who.guest, reservationId);
  // our side believes the session is over (its expiry passed) before Stripe's events arrive
  await server.db.prisma.payment.update({ where: { id: first.paymentId }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const webhookPaused = server.pauseWebhooks();
  await payOnCheckoutPage(first.url, { card: '4242424242424242' });
  const res = await retry(reservationId);
  expect(res.errors?.[0]?.extensions?.code).toBe('ALREADY_PAID');
  await webhookPaused.resume();
  await server.settled();
  await eventually(async () => {
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  });
  const rows = await server.db.prisma.payment.findMany({ where: { reservationId } });
  expect(rows.map((r) => r.status)).toEqual(['SUCCEEDED']);
});

it("the old session's late completed still confirms, and the newer attempt's session is expired at Stripe", async () => {
  const reservationId = await createReservation(server, who.admin);
  const first = await startCheckout(server, who.guest, reservationId);
  // Stripe completed session 1, but the event is delivered only after a retry made attempt 2
  const paidSession1 = { ...(await server.stripe.checkout.sessions.retrieve(first.sessionId)), status: 'complete', payment_status: 'paid', payment_intent: 'pi_test_late_old_session' };
  await server.db.prisma.payment.update({ where: { id: first.paymentId }, data: { status: 'EXPIRED' } });
  await server.stripe.checkout.sessions.expire(first.sessionId);
  await server.settled();
  const second = (await retry(reservationId)).data!.retryPayment;

  const late = {
    id: `evt_late_${Date.now()}`,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object: paidSession1 },
  };
  expect((await server.sendWebhook(late)).status).toBe(200);
  await server.settled();
  const rows = await server.db.prisma.payment.findMany({ where: { reservationId }, orderBy: { attempt: 'asc' } });
  expect(rows.map((r) => r.status)).toEqual(['SUCCEEDED', 'CANCELED']);
  expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  expect((await server.stripe.checkout.sessions.retrieve(second.sessionId)).status).toBe('expired');
});

it('a payment that lands after the hold lapsed is refunded in full automatically', async () => {
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  await server.db.prisma.reservation.update({ where: { id: reservationId }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  await server.settled();
  await eventually(async () => {
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('REFUNDED');
  });
  const reservation = await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } });
  expect(reservation.status).toBe('EXPIRED');
  const refunds = await server.db.prisma.refund.findMany({ where: { paymentId: session.paymentId } });
  expect(refunds).toHaveLength(1);
  expect(refunds[0]).toMatchObject({ amount: 24000, policy: 'HOLD_LAPSED' });
  expect(refunds[0].stripeRefundId).toMatch(/^re_/);
  const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
  const charge = await server.stripe.charges.retrieve((await server.stripe.paymentIntents.retrieve(payment.paymentIntentId!)).latest_charge as string);
  expect(charge.amount_refunded).toBe(24000);
  const status = await paymentStatus(server, who.guest, reservationId);
  expect(status).toMatchObject({ state: 'REFUNDED', amountPaid: 24000, amountRefunded: 24000 });
});

it('paymentStatus is for the owner or an admin only', async () => {
  const reservationId = await createReservation(server, who.admin);
  const other = await server.gql(PaymentStatusDocument, { reservationId }, { token: who.otherGuest });
  expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const admin = await server.gql(PaymentStatusDocument, { reservationId }, { token: who.admin });
  expect(admin.data?.paymentStatus.state).toBe('UNPAID');
});
