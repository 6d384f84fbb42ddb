/**
 * The payment state machine: which status moves are allowed, the overall state
 * of a reservation's payment, and whether a new attempt may start. The only
 * place these rules live; the services and webhook handlers ask it.
 *
 * Status only moves forward: a late or repeated event asks for a move that is
 * not in the table and changes nothing.
 */
import type { Payment, Refund, Reservation } from '../db';
import { PaymentAttemptStatus as S, ReservationStatus as R } from '../db';
import type { ErrorCode } from '../errors';

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

type AttemptStatus = (typeof S)[keyof typeof S];
type ReservationStatus = (typeof R)[keyof typeof R];

const ATTEMPT_TRANSITIONS: Record<AttemptStatus, readonly AttemptStatus[]> = {
  PENDING: [S.SUCCEEDED, S.FAILED, S.EXPIRED, S.CANCELED],
  SUCCEEDED: [S.PARTIALLY_REFUNDED, S.REFUNDED],
  PARTIALLY_REFUNDED: [S.PARTIALLY_REFUNDED, S.REFUNDED, S.SUCCEEDED],
  REFUNDED: [S.PARTIALLY_REFUNDED, S.SUCCEEDED],
  FAILED: [],
  // Money Stripe took is never ignored: a session we had given up on locally
  // (past its expiry, or replaced by a retry) that Stripe reports paid succeeded.
  EXPIRED: [S.SUCCEEDED],
  CANCELED: [S.SUCCEEDED],
};

const RESERVATION_TRANSITIONS: Record<ReservationStatus, readonly ReservationStatus[]> = {
  PENDING: [R.CONFIRMED, R.EXPIRED, R.CANCELLED],
  CONFIRMED: [R.CANCELLED],
  EXPIRED: [],
  CANCELLED: [],
};

export function canMoveAttempt(from: AttemptStatus, to: AttemptStatus): boolean {
  return ATTEMPT_TRANSITIONS[from].includes(to);
}

export function canMoveReservation(from: ReservationStatus, to: ReservationStatus): boolean {
  return RESERVATION_TRANSITIONS[from].includes(to);
}

/** An attempt whose money was taken (whatever was refunded since). */
export const isPaid = (status: AttemptStatus) =>
  status === S.SUCCEEDED || status === S.PARTIALLY_REFUNDED || status === S.REFUNDED;

/** Attempt status after refunds: refunded amount decides between the three paid states. */
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
 * and paymentStatus.canRetry is exactly `retryBlocker(...) === null` with attempts.
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

/** Sum of refunds that moved or may still move money (failed and canceled ones gave it back). */
export function refundedTotal(refunds: Pick<Refund, 'amount' | 'status'>[]): number {
  return refunds.filter((r) => r.status === 'PENDING' || r.status === 'SUCCEEDED').reduce((sum, r) => sum + r.amount, 0);
}
