/**
 * The cancellation policy, in one place. "Days before check-in" are whole
 * 24-hour periods from the moment of the request to the check-in instant (both
 * stored as UTC instants, so no time zone enters): 14 or more → the full amount,
 * 7 to 13 → half (rounded down to the cent), under 7 → nothing.
 *
 * Why instants rather than calendar dates: check-in has a time (e.g. 15:00), and a
 * guest cancelling 14 × 24 h before it should get exactly what the policy page
 * promises whatever their time zone; calendar dates would shift the boundary by up
 * to a day depending on where "today" is counted.
 */
export type RefundTier = 'FULL' | 'HALF' | 'NONE';

export const FULL_REFUND_DAYS = 14;
export const HALF_REFUND_DAYS = 7;
const DAY_MS = 86_400_000;

export function wholeDaysBefore(checkIn: Date, requestedAt: Date): number {
  return Math.floor((checkIn.getTime() - requestedAt.getTime()) / DAY_MS);
}

export function refundTier(checkIn: Date, requestedAt: Date): RefundTier {
  const days = wholeDaysBefore(checkIn, requestedAt);
  if (days >= FULL_REFUND_DAYS) return 'FULL';
  if (days >= HALF_REFUND_DAYS) return 'HALF';
  return 'NONE';
}

/** The policy's share of a paid amount, in cents. */
export function policyAmount(tier: RefundTier, paidAmount: number): number {
  if (tier === 'FULL') return paidAmount;
  if (tier === 'HALF') return Math.floor(paidAmount / 2);
  return 0;
}

/**
 * What a guest's cancellation refunds now: the policy share of the payment, less
 * what was already refunded (an earlier goodwill refund counts towards it).
 */
export function guestRefundDue(
  payment: { amount: number; refundedAmount: number },
  checkIn: Date,
  requestedAt: Date,
): { tier: RefundTier; amount: number } {
  const tier = refundTier(checkIn, requestedAt);
  const remaining = payment.amount - payment.refundedAmount;
  return { tier, amount: Math.max(0, Math.min(policyAmount(tier, payment.amount) - payment.refundedAmount, remaining)) };
}

/** Why a policy refund gives nothing now (NO_REFUND_DUE's message, and the quote's reason). */
export function noRefundDueReason(tier: RefundTier): string {
  return tier === 'NONE'
    ? `Check-in is less than ${HALF_REFUND_DAYS} days away: the cancellation policy refunds nothing`
    : 'The policy refund has already been made';
}

/** What a policy refund (a guest's, or an admin's without an amount) would refund now, and why, in words. */
export interface PolicyQuote {
  tier: RefundTier;
  /** cents the policy refunds now (0 when nothing is due) */
  amount: number;
  daysBeforeCheckIn: number;
  reason: string;
}

export function quotePolicyRefund(
  payment: { amount: number; refundedAmount: number },
  checkIn: Date,
  requestedAt: Date,
): PolicyQuote {
  const due = guestRefundDue(payment, checkIn, requestedAt);
  const daysBeforeCheckIn = wholeDaysBefore(checkIn, requestedAt);
  const days = `Check-in is ${daysBeforeCheckIn} whole day${daysBeforeCheckIn === 1 ? '' : 's'} away`;
  let reason: string;
  if (due.tier === 'NONE' || due.amount <= 0) reason = noRefundDueReason(due.tier);
  else if (due.tier === 'FULL') reason = `${days} (${FULL_REFUND_DAYS} or more): the full amount${payment.refundedAmount > 0 ? ', less what was already refunded' : ''}`;
  else reason = `${days} (${HALF_REFUND_DAYS} to ${FULL_REFUND_DAYS - 1}): half the amount, rounded down to the cent${payment.refundedAmount > 0 ? ', less what was already refunded' : ''}`;
  return { tier: due.tier, amount: due.tier === 'NONE' ? 0 : due.amount, daysBeforeCheckIn, reason };
}
