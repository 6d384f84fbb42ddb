/**
 * The booking invariants as pure rules (src/lifecycle/booking-rules.ts). The
 * end-to-end tests (test/lifecycle/invariants.test.ts) and the randomised chaos
 * test check the same invariants against the running service.
 */
import type { Payment, Refund, Reservation } from '../../src/db';
import { type Aggregate, brokenInvariants, cancellationDue, holdExpiryDue, onPaid } from '../../src/lifecycle/booking-rules';

const DAY = 86_400_000;
const now = new Date('2030-03-01T12:00:00Z');

function reservation(over: Partial<Reservation> = {}): Reservation {
  return {
    id: 'RES-2030-AAAAAA',
    orgId: 'default',
    guestId: 'g',
    description: 'room',
    checkIn: new Date(now.getTime() + 30 * DAY),
    checkOut: new Date(now.getTime() + 32 * DAY),
    amount: 10_000,
    currency: 'EUR',
    status: 'PENDING',
    holdExpiresAt: new Date(now.getTime() + DAY),
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

let n = 0;
function attempt(status: Payment['status'], over: Partial<Payment> = {}): Payment {
  n += 1;
  return {
    id: `p${n}`,
    reservationId: 'RES-2030-AAAAAA',
    attempt: n,
    status,
    amount: 10_000,
    currency: 'EUR',
    refundedAmount: 0,
    checkoutSessionId: `cs_${n}`,
    paymentIntentId: `pi_${n}`,
    checkoutUrl: null,
    expiresAt: null,
    failureCode: null,
    failureMessage: null,
    disputed: false,
    idempotencyKey: `k${n}`,
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

function refund(paymentId: string, amount: number, policy: string, over: Partial<Refund> = {}): Refund {
  n += 1;
  return {
    id: `r${n}`,
    paymentId,
    amount,
    currency: 'EUR',
    status: 'SUCCEEDED',
    reason: null,
    policy,
    stripeRefundId: `re_${n}`,
    requestedBy: null,
    idempotencyKey: null,
    failureReason: null,
    uncertainSince: null,
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

const agg = (r: Reservation, attempts: Payment[], refunds: Refund[] = []): Aggregate => ({ reservation: r, attempts, refunds });

describe('invariant: a reservation refunded in full, by policy, by an admin without amount, or outside the API covering the policy, ends CANCELLED', () => {
  it('a policy refund (FULL or HALF) accepted by Stripe cancels', () => {
    const paid = attempt('PARTIALLY_REFUNDED', { refundedAmount: 5000 });
    expect(cancellationDue(agg(reservation({ status: 'CONFIRMED' }), [paid], [refund(paid.id, 5000, 'HALF')]))).toBe(true);
  });

  it('a policy refund that Stripe has not acknowledged yet does not cancel', () => {
    const paid = attempt('SUCCEEDED', { refundedAmount: 10_000 });
    const requested = refund(paid.id, 10_000, 'FULL', { status: 'PENDING', stripeRefundId: null });
    expect(cancellationDue(agg(reservation({ status: 'CONFIRMED' }), [paid], [requested]))).toBe(false);
  });

  it('an admin refunding everything as explicit amounts cancels (nothing backs the booking any more)', () => {
    const paid = attempt('REFUNDED', { refundedAmount: 10_000 });
    const refunds = [refund(paid.id, 4000, 'ADMIN'), refund(paid.id, 6000, 'ADMIN')];
    expect(cancellationDue(agg(reservation({ status: 'CONFIRMED' }), [paid], refunds))).toBe(true);
  });

  it('an admin goodwill refund of part does not cancel', () => {
    const paid = attempt('PARTIALLY_REFUNDED', { refundedAmount: 1000 });
    expect(cancellationDue(agg(reservation({ status: 'CONFIRMED' }), [paid], [refund(paid.id, 1000, 'ADMIN')]))).toBe(false);
  });

  it('a Dashboard refund covering the policy amount cancels; a smaller one does not', () => {
    const paid = attempt('PARTIALLY_REFUNDED');
    const r = reservation({ status: 'CONFIRMED', checkIn: new Date(now.getTime() + 10 * DAY) }); // HALF tier: 5000 due
    expect(cancellationDue(agg(r, [paid], [refund(paid.id, 5000, 'EXTERNAL')]))).toBe(true);
    expect(cancellationDue(agg(r, [paid], [refund(paid.id, 4999, 'EXTERNAL')]))).toBe(false);
  });

  it('inside the no-refund window, a partial Dashboard refund does not cancel', () => {
    const paid = attempt('PARTIALLY_REFUNDED');
    const r = reservation({ status: 'CONFIRMED', checkIn: new Date(now.getTime() + 2 * DAY) });
    expect(cancellationDue(agg(r, [paid], [refund(paid.id, 3000, 'EXTERNAL')]))).toBe(false);
  });
});

describe('invariant: a CONFIRMED reservation always has a SUCCEEDED or partially refunded payment', () => {
  it('is reported broken when the only payment is refunded in full', () => {
    const paid = attempt('REFUNDED', { refundedAmount: 10_000 });
    const broken = brokenInvariants(agg(reservation({ status: 'CONFIRMED' }), [paid], [refund(paid.id, 10_000, 'ADMIN')]));
    expect(broken).toContain('a CONFIRMED reservation has no paid attempt that backs it');
  });

  it('holds for a paid, partly refunded attempt', () => {
    const paid = attempt('PARTIALLY_REFUNDED', { refundedAmount: 1000 });
    expect(brokenInvariants(agg(reservation({ status: 'CONFIRMED' }), [paid], [refund(paid.id, 1000, 'ADMIN')]))).toEqual([]);
  });
});

describe('invariant: no two SUCCEEDED payments stand without an automatic refund of one', () => {
  it('a second paid attempt is refunded by itself (DUPLICATE)', () => {
    const first = attempt('SUCCEEDED');
    const second = attempt('SUCCEEDED');
    const r = reservation({ status: 'CONFIRMED' });
    expect(onPaid(agg(r, [second, first]), second, now)).toEqual({ confirm: false, refund: 'DUPLICATE' });
    expect(brokenInvariants(agg(r, [second, first]))).toContain('two paid attempts stand without an automatic refund of one');
    const auto = refund(second.id, 10_000, 'DUPLICATE', { status: 'PENDING', stripeRefundId: null });
    expect(brokenInvariants(agg(r, [{ ...second, refundedAmount: 10_000 }, first], [auto]))).toEqual([]);
  });

  it('a payment after the hold lapsed is refunded by itself (HOLD_LAPSED), never confirmed', () => {
    const late = attempt('SUCCEEDED');
    const r = reservation({ holdExpiresAt: new Date(now.getTime() - 1) });
    expect(onPaid(agg(r, [late]), late, now)).toEqual({ confirm: false, refund: 'HOLD_LAPSED' });
  });

  it('a payment within the hold confirms', () => {
    const paid = attempt('SUCCEEDED');
    expect(onPaid(agg(reservation(), [paid]), paid, now)).toEqual({ confirm: true });
  });
});

describe('hold expiry', () => {
  it('applies to unpaid PENDING reservations past their hold only', () => {
    const lapsed = reservation({ holdExpiresAt: new Date(now.getTime() - 1) });
    expect(holdExpiryDue(agg(lapsed, [attempt('FAILED')]), now)).toBe(true);
    expect(holdExpiryDue(agg(lapsed, [attempt('SUCCEEDED')]), now)).toBe(false);
    expect(holdExpiryDue(agg(reservation(), []), now)).toBe(false);
  });
});

describe('refunded_amount', () => {
  it('is reported broken when it is not the sum of the refunds that hold money', () => {
    const paid = attempt('PARTIALLY_REFUNDED', { refundedAmount: 999 });
    const broken = brokenInvariants(agg(reservation({ status: 'CONFIRMED' }), [paid], [refund(paid.id, 1000, 'ADMIN')]));
    expect(broken.some((b) => b.includes('refunded_amount'))).toBe(true);
  });
});
