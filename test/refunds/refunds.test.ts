import type Stripe from 'stripe';
import { PaymentStatusDocument, RefundPaymentDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { startWithActors, createReservation, eventually, startCheckout, type Actors } from '../support/scenario';
import { type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => ({ server, who } = await startWithActors()));
afterAll(() => server.close());

const DAY = 86_400_000;

/** A reservation checking in `checkInInMs` from now, paid with `card`. */
async function paid(checkInInMs: number, card = '4242424242424242', amount = 24000) {
  const checkIn = new Date(Date.now() + checkInInMs);
  const reservationId = await createReservationAt(checkIn, amount);
  const session = await startCheckout(server, who.guest, reservationId);
  await payOnCheckoutPage(session.url, { card });
  await server.settled();
  await eventually(async () => {
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('SUCCEEDED');
  });
  return { reservationId, paymentId: session.paymentId };
}

async function createReservationAt(checkIn: Date, amount: number) {
  const days = (checkIn.getTime() - Date.now()) / DAY;
  return createReservation(server, who.admin, 'guest-1', amount, days);
}

function refund(input: { paymentId: string; amount?: number; reason?: string; idempotencyKey?: string }, token = who.guest) {
  return server.gql(RefundPaymentDocument, { input }, { token });
}

async function stripeChargeOf(paymentId: string): Promise<Stripe.Charge> {
  const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const intent = await server.stripe.paymentIntents.retrieve(payment.paymentIntentId!);
  return server.stripe.charges.retrieve(intent.latest_charge as string);
}

describe('the cancellation policy through refundPayment', () => {
  it.each([
    ['20 days before: full', 20 * DAY, 24000, 'FULL'],
    ['14 days and a minute before: full', 14 * DAY + 60_000, 24000, 'FULL'],
    ['14 days less a minute before: half', 14 * DAY - 60_000, 12000, 'HALF'],
    ['7 days and a minute before: half', 7 * DAY + 60_000, 12000, 'HALF'],
  ])('%s', async (_label, inMs, expected, tier) => {
    const { reservationId, paymentId } = await paid(inMs);
    const res = await refund({ paymentId, reason: 'plans changed' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.refundPayment).toMatchObject({ amount: expected, policy: tier, currency: 'EUR', reason: 'plans changed' });
    expect(res.data!.refundPayment.stripeRefundId).toMatch(/^re_/);
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(payment).toMatchObject({ refundedAmount: expected, status: expected === 24000 ? 'REFUNDED' : 'PARTIALLY_REFUNDED' });
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CANCELLED');
    expect((await stripeChargeOf(paymentId)).amount_refunded).toBe(expected);
  });

  it('7 days less a minute before: NO_REFUND_DUE, nothing moves', async () => {
    const { reservationId, paymentId } = await paid(7 * DAY - 60_000);
    const res = await refund({ paymentId });
    expect(res.errors?.[0]?.extensions?.code).toBe('NO_REFUND_DUE');
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(0);
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
    expect((await stripeChargeOf(paymentId)).amount_refunded).toBe(0);
  });
});

describe('who may refund what', () => {
  it('another guest is FORBIDDEN; a guest may not name an amount', async () => {
    const { paymentId } = await paid(30 * DAY);
    expect((await refund({ paymentId }, who.otherGuest)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await refund({ paymentId, amount: 100 })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(0);
  });

  it('an admin refunds partially (the booking stands), then the rest (nothing backs it: cancelled); more is refused', async () => {
    const { reservationId, paymentId } = await paid(3 * DAY); // inside the no-refund window: admins are not bound by it
    const part = await refund({ paymentId, amount: 5000, reason: 'goodwill' }, who.admin);
    expect(part.data!.refundPayment).toMatchObject({ amount: 5000, policy: 'ADMIN' });
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 5000, status: 'PARTIALLY_REFUNDED' });
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
    const over = await refund({ paymentId, amount: 19001 }, who.admin);
    expect(over.errors?.[0]?.extensions?.code).toBe('REFUND_EXCEEDS_PAYMENT');
    const rest = await refund({ paymentId, amount: 19000 }, who.admin);
    expect(rest.errors).toBeUndefined();
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 24000, status: 'REFUNDED' });
    expect((await refund({ paymentId, amount: 1 }, who.admin)).errors?.[0]?.extensions?.code).toBe('ALREADY_REFUNDED');
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CANCELLED');
    expect((await stripeChargeOf(paymentId)).amount_refunded).toBe(24000);
  });

  it('zero, negative and unknown are bad input', async () => {
    const { paymentId } = await paid(30 * DAY);
    expect((await refund({ paymentId, amount: 0 }, who.admin)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await refund({ paymentId, amount: -5 }, who.admin)).errors?.[0]?.message).toMatch(/amount/);
    expect((await refund({ paymentId: 'not-a-uuid' }, who.admin)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await refund({ paymentId: '00000000-0000-4000-8000-000000000000' }, who.admin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('concurrency and retries', () => {
  it('ten parallel refunds of 20 % refund exactly 100 %; the rest fail cleanly', async () => {
    const { paymentId } = await paid(30 * DAY, '4242424242424242', 10000);
    const results = await Promise.all(Array.from({ length: 10 }, () => refund({ paymentId, amount: 2000 }, who.admin)));
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(5);
    for (const r of results.filter((x) => x.errors)) {
      expect(['REFUND_EXCEEDS_PAYMENT', 'ALREADY_REFUNDED']).toContain(r.errors?.[0]?.extensions?.code);
    }
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 10000, status: 'REFUNDED' });
    expect(await server.db.prisma.refund.count({ where: { paymentId, status: { in: ['PENDING', 'SUCCEEDED'] } } })).toBe(5);
    expect((await stripeChargeOf(paymentId)).amount_refunded).toBe(10000);
  });

  it('the same request sent twice (lost response) refunds once', async () => {
    const { paymentId } = await paid(30 * DAY);
    const first = await refund({ paymentId, amount: 3000, idempotencyKey: 'support-ticket-4711' }, who.admin);
    const again = await refund({ paymentId, amount: 3000, idempotencyKey: 'support-ticket-4711' }, who.admin);
    expect(again.data!.refundPayment.id).toBe(first.data!.refundPayment.id);
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(1);
    expect((await stripeChargeOf(paymentId)).amount_refunded).toBe(3000);
  });

  it('a refund Stripe cannot be reached for stays PENDING, holds its amount, and is completed once by the job', async () => {
    const { paymentId } = await paid(30 * DAY);
    server.emulator.faults.inject({ method: 'POST', path: '/v1/refunds', kind: 'api_error', times: 3 });
    const res = await refund({ paymentId, amount: 1000 }, who.admin);
    expect(res.errors).toBeUndefined();
    expect(res.data!.refundPayment).toMatchObject({ status: 'PENDING', stripeRefundId: null, amount: 1000 });
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 1000, status: 'SUCCEEDED' });
    // a new request (no key) is not taken while this one is unconfirmed: it could move the money twice
    const again = await refund({ paymentId, amount: 1000 }, who.admin);
    expect(again.errors?.[0]?.extensions?.code).toBe('PAYMENT_PROVIDER_PENDING');
    expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(1);

    expect(await server.app.reconciliation.completeUnconfirmedRefunds(0)).toBe(1);
    const rows = await server.db.prisma.refund.findMany({ where: { paymentId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'SUCCEEDED', amount: 1000 });
    expect(rows[0].stripeRefundId).toMatch(/^re_/);
    expect((await stripeChargeOf(paymentId)).amount_refunded).toBe(1000);
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 1000, status: 'PARTIALLY_REFUNDED' });
  });
});

describe('kept in step with Stripe', () => {
  it('a refund made in the Stripe Dashboard appears as a Refund row', async () => {
    const { paymentId } = await paid(30 * DAY);
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    const external = await server.stripe.refunds.create({ payment_intent: payment.paymentIntentId!, amount: 4000 });
    await server.settled();
    await eventually(async () => {
      const rows = await server.db.prisma.refund.findMany({ where: { paymentId } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ stripeRefundId: external.id, amount: 4000, policy: 'EXTERNAL', status: 'SUCCEEDED' });
    });
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 4000, status: 'PARTIALLY_REFUNDED' });
  });

  it('a refund that fails later gives the amount back and shows in paymentStatus', async () => {
    const { reservationId, paymentId } = await paid(30 * DAY, '4000000000005126');
    const res = await refund({ paymentId, amount: 6000 }, who.admin);
    expect(res.errors).toBeUndefined();
    await eventually(async () => {
      const row = await server.db.prisma.refund.findUniqueOrThrow({ where: { id: res.data!.refundPayment.id } });
      expect(row.status).toBe('FAILED');
    });
    await server.settled();
    expect(await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ refundedAmount: 0, status: 'SUCCEEDED' });
    const status = await server.gql(PaymentStatusDocument, { reservationId }, { token: who.guest });
    expect(status.data!.paymentStatus).toMatchObject({ state: 'PAID', amountRefunded: 0 });
    expect(status.data!.paymentStatus.refunds.map((r) => r.status)).toEqual(['FAILED']);
  });

  it('refund events out of order and duplicated change nothing more', async () => {
    const { paymentId } = await paid(30 * DAY);
    const res = await refund({ paymentId, amount: 2500 }, who.admin);
    await server.settled();
    const snapshot = async () => ({
      payment: await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId }, select: { refundedAmount: true, status: true } }),
      refunds: await server.db.prisma.refund.findMany({ where: { paymentId }, select: { id: true, amount: true, status: true } }),
    });
    const before = await snapshot();
    expect(before.payment).toEqual({ refundedAmount: 2500, status: 'PARTIALLY_REFUNDED' });
    const events = (await server.stripe.events.list({ limit: 100 })).data.filter((e) =>
      ['refund.created', 'refund.updated', 'charge.refunded'].includes(e.type) &&
      JSON.stringify(e.data.object).includes(res.data!.refundPayment.stripeRefundId!),
    );
    expect(events.length).toBeGreaterThan(0);
    // replay them newest first, each twice, as fresh deliveries (new event ids)
    for (const e of events) {
      for (let i = 0; i < 2; i += 1) {
        const copy = { ...e, id: `${e.id}_replay_${i}` };
        expect((await server.sendWebhook(copy)).status).toBe(200);
        expect((await server.sendWebhook(copy)).body.duplicate).toBe(true);
      }
    }
    await server.settled();
    expect(await snapshot()).toEqual(before);
  });
});
