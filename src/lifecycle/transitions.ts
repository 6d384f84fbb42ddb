/**
 * The three state machines of the domain, as tables: which moves are legal. The
 * transition authority (transition-authority.ts) asks these tables before it
 * writes a status, and throws on anything else. Status only moves forward: a
 * late or repeated Stripe event asks for a move that is not here, and its
 * handler leaves the row as it is.
 */
import { PaymentAttemptStatus as A, RefundStatus, ReservationStatus as R } from '../db';

export type ReservationStatus = (typeof R)[keyof typeof R];
export type AttemptStatus = (typeof A)[keyof typeof A];

/**
 * A refund's phase. The stored `status` is Stripe's vocabulary (PENDING,
 * SUCCEEDED, FAILED, CANCELED); REQUESTED is a PENDING row that Stripe has not
 * acknowledged yet (no Stripe refund id): claimed here, its Stripe call not
 * answered, or answered with an unknown outcome. What a refund implies for the
 * booking happens when Stripe accepts it, never on the claim alone.
 */
export type RefundPhase = 'REQUESTED' | 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

export const RESERVATION_MOVES: Record<ReservationStatus, readonly ReservationStatus[]> = {
  PENDING: [R.CONFIRMED, R.EXPIRED, R.CANCELLED],
  CONFIRMED: [R.CANCELLED],
  EXPIRED: [],
  CANCELLED: [],
};

export const ATTEMPT_MOVES: Record<AttemptStatus, readonly AttemptStatus[]> = {
  PENDING: [A.SUCCEEDED, A.FAILED, A.EXPIRED, A.CANCELED],
  // the paid states follow the refunds: a refund that fails later moves back
  SUCCEEDED: [A.PARTIALLY_REFUNDED, A.REFUNDED],
  PARTIALLY_REFUNDED: [A.SUCCEEDED, A.REFUNDED],
  REFUNDED: [A.PARTIALLY_REFUNDED, A.SUCCEEDED],
  FAILED: [],
  // Money Stripe took is never ignored: a session we had given up on locally
  // (past its expiry, replaced by a retry) that Stripe reports paid succeeded.
  EXPIRED: [A.SUCCEEDED],
  CANCELED: [A.SUCCEEDED],
};

export const REFUND_MOVES: Record<RefundPhase, readonly RefundPhase[]> = {
  REQUESTED: ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELED'],
  PENDING: ['SUCCEEDED', 'FAILED', 'CANCELED'],
  // Stripe's refund.failed can come after a refund succeeded (the card was closed)
  SUCCEEDED: ['FAILED'],
  FAILED: [],
  CANCELED: [],
};

export const canMoveReservation = (from: ReservationStatus, to: ReservationStatus) => RESERVATION_MOVES[from].includes(to);
export const canMoveAttempt = (from: AttemptStatus, to: AttemptStatus) => ATTEMPT_MOVES[from].includes(to);
export const canMoveRefund = (from: RefundPhase, to: RefundPhase) => REFUND_MOVES[from].includes(to);

export function refundPhase(refund: { status: (typeof RefundStatus)[keyof typeof RefundStatus]; stripeRefundId: string | null }): RefundPhase {
  if (refund.status === RefundStatus.PENDING && !refund.stripeRefundId) return 'REQUESTED';
  return refund.status;
}

/** The stored status of a phase. */
export const storedRefundStatus = (phase: RefundPhase) => (phase === 'REQUESTED' ? RefundStatus.PENDING : phase);

export class IllegalTransitionError extends Error {
  constructor(entity: string, id: string, from: string, to: string) {
    super(`illegal transition of ${entity} ${id}: ${from} → ${to}`);
  }
}
