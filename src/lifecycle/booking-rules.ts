/**
 * What the money implies for the booking, as pure functions of a reservation's
 * aggregate (the reservation, its attempts and their refunds). The transition
 * authority applies them after every payment and refund move; the consistency
 * check and the tests use them as the invariants:
 *  - a CONFIRMED reservation has a paid attempt that is not refunded in full;
 *  - a reservation refunded in full, by policy, by an admin without an amount,
 *    or outside this API in a way that covers the policy amount, is CANCELLED;
 *  - no two paid attempts stand without an automatic refund of one.
 * Refunds count here once Stripe has accepted them (a Stripe refund id, status
 * PENDING or SUCCEEDED): a claim whose Stripe call has not been answered changes
 * nothing for the booking.
 */
import type { Payment, Refund, Reservation } from '../db';
import { isPaid } from '../payments/payment-rules';
import { policyAmount, refundTier } from '../refunds/refund-policy';
import { refundPhase } from './transitions';

export interface Aggregate {
  reservation: Reservation;
  /** newest first */
  attempts: Payment[];
  /** of every attempt, oldest first */
  refunds: Refund[];
}

/** Refund policies: who or what decided the amount. */
export const RefundPolicy = {
  /** the cancellation policy, 14 days or more before check-in */
  FULL: 'FULL',
  /** the cancellation policy, 7 to 13 days before check-in */
  HALF: 'HALF',
  /** an admin's explicit amount (goodwill, correction) */
  ADMIN: 'ADMIN',
  /** made outside this API (Stripe Dashboard) */
  EXTERNAL: 'EXTERNAL',
  /** automatic: paid after the hold lapsed or the reservation was cancelled */
  HOLD_LAPSED: 'HOLD_LAPSED',
  /** automatic: a second payment of a reservation already paid */
  DUPLICATE: 'DUPLICATE',
} as const;
export type RefundPolicy = (typeof RefundPolicy)[keyof typeof RefundPolicy];

/** Policies written by this service into Stripe metadata: a Dashboard user's note is not trusted. */
export const OUR_POLICIES: ReadonlySet<string> = new Set(Object.values(RefundPolicy).filter((p) => p !== 'EXTERNAL'));
/** A cancellation-policy refund cancels the reservation (an admin without an amount gets the policy too). */
const CANCELLING_POLICIES: ReadonlySet<string> = new Set([RefundPolicy.FULL, RefundPolicy.HALF]);
/** Refunds this service makes by itself, that never speak for the guest's booking. */
export const AUTOMATIC_POLICIES: ReadonlySet<string> = new Set([RefundPolicy.HOLD_LAPSED, RefundPolicy.DUPLICATE]);

/** Accepted by Stripe: it moved money or is about to. */
export const isAccepted = (refund: Refund) => {
  const phase = refundPhase(refund);
  return phase === 'PENDING' || phase === 'SUCCEEDED';
};

export const refundsOf = (aggregate: Aggregate, attemptId: string) => aggregate.refunds.filter((r) => r.paymentId === attemptId);

/** Euro cents of an attempt that Stripe has accepted to give back. */
export const acceptedRefunded = (aggregate: Aggregate, attemptId: string) =>
  refundsOf(aggregate, attemptId)
    .filter(isAccepted)
    .reduce((sum, r) => sum + r.amount, 0);

/** A paid attempt that still backs the booking: not refunded in full, not refunded automatically. */
export function backsBooking(aggregate: Aggregate, attempt: Payment): boolean {
  if (!isPaid(attempt.status)) return false;
  const refunds = refundsOf(aggregate, attempt.id);
  if (refunds.some((r) => AUTOMATIC_POLICIES.has(r.policy ?? '') && r.status !== 'FAILED' && r.status !== 'CANCELED')) return false;
  return acceptedRefunded(aggregate, attempt.id) < attempt.amount;
}

/**
 * An attempt has just been paid: does it confirm the reservation, or must it be
 * refunded by itself (and why)? A reservation is paid once, within its hold.
 */
export function onPaid(aggregate: Aggregate, attempt: Payment, now: Date): { confirm: true } | { confirm: false; refund: RefundPolicy } {
  const { reservation } = aggregate;
  const otherBacking = aggregate.attempts.some((a) => a.id !== attempt.id && backsBooking(aggregate, a));
  if (otherBacking) return { confirm: false, refund: RefundPolicy.DUPLICATE };
  if (reservation.status === 'CONFIRMED') return { confirm: true };
  if (reservation.status === 'PENDING' && reservation.holdExpiresAt.getTime() > now.getTime()) return { confirm: true };
  return { confirm: false, refund: RefundPolicy.HOLD_LAPSED };
}

/**
 * Should a CONFIRMED reservation now be CANCELLED? When a cancellation-policy
 * refund was accepted, when no paid attempt backs it any more (refunded in full,
 * whoever did it), or when refunds made outside this API cover what the policy
 * would have given at the time they were made.
 */
export function cancellationDue(aggregate: Aggregate): boolean {
  const { reservation } = aggregate;
  if (reservation.status !== 'CONFIRMED') return false;
  const accepted = aggregate.refunds.filter(isAccepted);
  if (accepted.some((r) => CANCELLING_POLICIES.has(r.policy ?? ''))) return true;
  const backing = aggregate.attempts.filter((a) => backsBooking(aggregate, a));
  if (backing.length === 0) return true;
  return backing.some((attempt) => {
    const external = accepted.filter((r) => r.paymentId === attempt.id && r.policy === RefundPolicy.EXTERNAL);
    if (!external.length) return false;
    const firstAt = external[0].createdAt;
    const due = policyAmount(refundTier(reservation.checkIn, firstAt), attempt.amount);
    return due > 0 && external.reduce((sum, r) => sum + r.amount, 0) >= due;
  });
}

/** An unpaid PENDING reservation whose hold has lapsed is EXPIRED. */
export function holdExpiryDue(aggregate: Aggregate, now: Date): boolean {
  const { reservation } = aggregate;
  return (
    reservation.status === 'PENDING' &&
    reservation.holdExpiresAt.getTime() <= now.getTime() &&
    !aggregate.attempts.some((a) => isPaid(a.status))
  );
}

/** The invariants, for the consistency check and the tests: each broken one, named. */
export function brokenInvariants(aggregate: Aggregate): string[] {
  const broken: string[] = [];
  const { reservation } = aggregate;
  const backing = aggregate.attempts.filter((a) => backsBooking(aggregate, a));
  if (reservation.status === 'CONFIRMED' && backing.length === 0) {
    broken.push('a CONFIRMED reservation has no paid attempt that backs it');
  }
  if (backing.length > 1) broken.push('two paid attempts stand without an automatic refund of one');
  if (cancellationDue(aggregate)) broken.push('a reservation refunded as the policy says is not CANCELLED');
  for (const attempt of aggregate.attempts) {
    const held = refundsOf(aggregate, attempt.id)
      .filter((r) => r.status === 'PENDING' || r.status === 'SUCCEEDED')
      .reduce((sum, r) => sum + r.amount, 0);
    if (held > attempt.amount) broken.push(`attempt ${attempt.attempt}: refunds exceed the payment`);
    if (held !== attempt.refundedAmount) broken.push(`attempt ${attempt.attempt}: refunded_amount is not the sum of its refunds`);
  }
  return broken;
}
