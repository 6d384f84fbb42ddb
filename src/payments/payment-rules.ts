/**
 * Read-side rules of a reservation's payment: the overall state shown to
 * clients, and whether a new checkout attempt may start. Pure functions; the
 * moves themselves are in src/lifecycle (transitions.ts, transition-authority.ts).
 */
import type { Payment, Refund, Reservation } from '../db';
import { PaymentAttemptStatus as S, ReservationStatus as R } from '../db';
import type { ErrorCode } from '../errors';
import type { AttemptStatus } from '../lifecycle/transitions';

export const MAX_ATTEMPTS = 3;

/** Where a reservation's payment stands overall (GraphQL enum PaymentState). */
export enum PaymentState {
  UNPAID = 'UNPAID',
  PENDING = 'PENDING',
  PAID = 'PAID',
  PARTIALLY_REFUNDED = 'PARTIALLY_REFUNDED',
  REFUNDED = 'REFUNDED',
  FAILED = 'FAILED',
  EXPIRED = 'EXPIRED',
}

/** An attempt whose money was taken (whatever was refunded since). */
export const isPaid = (status: AttemptStatus) =>
  status === S.SUCCEEDED || status === S.PARTIALLY_REFUNDED || status === S.REFUNDED;

/** Attempt status after refunds: the refunded amount decides between the three paid states. */
export function paidStatusFor(amount: number, refundedAmount: number): AttemptStatus {
  if (refundedAmount <= 0) return S.SUCCEEDED;
  return refundedAmount >= amount ? S.REFUNDED : S.PARTIALLY_REFUNDED;
}

/**
 * The overall state shown by paymentStatus, from the attempts (newest first).
 * A paid attempt decides; else the newest attempt; a reservation whose hold
 * lapsed unpaid is EXPIRED.
 */
export function overallState(reservation: Pick<Reservation, 'status'>, attemptsNewestFirst: Pick<Payment, 'status'>[]): PaymentState {
  const paid = attemptsNewestFirst.find((a) => isPaid(a.status));
  if (paid) {
    if (paid.status === S.REFUNDED) return PaymentState.REFUNDED;
    if (paid.status === S.PARTIALLY_REFUNDED) return PaymentState.PARTIALLY_REFUNDED;
    return PaymentState.PAID;
  }
  if (reservation.status === R.EXPIRED) return PaymentState.EXPIRED;
  const latest = attemptsNewestFirst[0];
  if (!latest) return PaymentState.UNPAID;
  switch (latest.status) {
    case S.PENDING:
      return PaymentState.PENDING;
    case S.EXPIRED:
      return PaymentState.EXPIRED;
    default:
      return PaymentState.FAILED; // FAILED, CANCELED
  }
}

/** True when the reservation's hold has lapsed at `now`. */
export const holdLapsed = (reservation: Pick<Reservation, 'holdExpiresAt'>, now: Date) =>
  reservation.holdExpiresAt.getTime() <= now.getTime();

/**
 * Why a new checkout attempt may not start now, or null when it may. The first
 * attempt (createCheckoutSession) and retries (retryPayment) share these rules,
 * and paymentStatus.canRetry is exactly `newAttemptBlocker(...) === null` with attempts.
 */
export function newAttemptBlocker(
  reservation: Pick<Reservation, 'status' | 'holdExpiresAt'>,
  attemptsNewestFirst: Pick<Payment, 'status'>[],
  now: Date,
): ErrorCode | null {
  if (attemptsNewestFirst.some((a) => isPaid(a.status)) || reservation.status === R.CONFIRMED) return 'ALREADY_PAID';
  if (reservation.status === R.EXPIRED) return 'HOLD_EXPIRED';
  if (reservation.status !== R.PENDING) return 'RESERVATION_NOT_PAYABLE';
  if (holdLapsed(reservation, now)) return 'HOLD_EXPIRED';
  const latest = attemptsNewestFirst[0];
  if (latest?.status === S.PENDING) return 'RESERVATION_NOT_PAYABLE'; // a session is still open
  if (attemptsNewestFirst.length >= MAX_ATTEMPTS) return 'RETRY_LIMIT_REACHED';
  return null;
}

/** Refunds that moved or may still move money: every one but the failed and canceled. */
export const holdsMoney = (refund: Pick<Refund, 'status'>) => refund.status === 'PENDING' || refund.status === 'SUCCEEDED';

/** Sum of refunds that moved or may still move money (failed and canceled ones gave it back). */
export function refundedTotal(refunds: Pick<Refund, 'amount' | 'status'>[]): number {
  return refunds.filter(holdsMoney).reduce((sum, r) => sum + r.amount, 0);
}
