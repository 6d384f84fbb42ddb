/**
 * The transition authority: the only code that writes a `status` column. Every
 * move of a reservation, a checkout attempt or a refund goes through here, is
 * checked against the tables in transitions.ts (an illegal move throws), and
 * brings what it implies, in the same transaction (the model is Vendure's
 * payment process with its onTransition hooks):
 *  - an attempt paid: the reservation CONFIRMED, or, when it can no longer be
 *    had (hold lapsed, cancelled, already paid by another attempt), an automatic
 *    full refund of that attempt; other open attempts are superseded (CANCELED,
 *    their sessions expired at Stripe after the commit);
 *  - a refund moved: the attempt's refunded amount and paid state follow; a
 *    reservation refunded as booking-rules.ts says is CANCELLED;
 *  - a hold lapsed unpaid: the reservation EXPIRED, its open sessions expired at
 *    Stripe after the commit.
 * Observers (audit, notifications, live status) are told of every move.
 *
 * Callers hold the aggregate's lock (aggregate.ts) and pass it in; the
 * authority keeps its rows current as it writes.
 */
import { randomUUID } from 'node:crypto';
import type { Payment, Refund } from '../db';
import { PaymentAttemptStatus as A, ReservationStatus as R } from '../db';
import { statement } from '../db/sql';
import { columns } from '../db/store';
import { isPaid, paidStatusFor } from '../payments/payment-rules';
import { type Aggregate, RefundPolicy, acceptedRefunded, cancellationDue, holdExpiryDue, onPaid } from './booking-rules';
import {
  type AttemptStatus,
  IllegalTransitionError,
  type RefundPhase,
  type ReservationStatus,
  canMoveAttempt,
  canMoveRefund,
  canMoveReservation,
  refundPhase,
  storedRefundStatus,
} from './transitions';
import type { Work } from './work';

// The only statements that write a status column (with what moves with it).
const SET_RESERVATION_STATUS = statement(
  'set-reservation-status',
  `UPDATE reservations SET status = $2, updated_at = $3 WHERE id = $1 RETURNING ${columns.reservation()}`,
);
const SET_ATTEMPT_STATE = statement(
  'set-attempt-state',
  `UPDATE payments SET status = $2, refunded_amount = $3, payment_intent_id = $4, failure_code = $5, failure_message = $6, updated_at = $7,
     checkout_session_id = $8
   WHERE id = $1 RETURNING ${columns.payment()}`,
);
const SET_REFUND_STATE = statement(
  'set-refund-state',
  `UPDATE refunds SET status = $2, stripe_refund_id = $3, failure_reason = $4, updated_at = $5 WHERE id = $1 RETURNING ${columns.refund()}`,
);

export type Transition =
  | { entity: 'reservation'; id: string; reservationId: string; from: ReservationStatus; to: ReservationStatus }
  /** `from: null`: the attempt was claimed (its checkout is being started) */
  | { entity: 'attempt'; id: string; reservationId: string; from: AttemptStatus | null; to: AttemptStatus; attempt: Payment }
  | { entity: 'refund'; id: string; reservationId: string; paymentId: string; from: RefundPhase | null; to: RefundPhase; refund: Refund }
  /** a claim removed because Stripe answered that it made nothing (no money moved) */
  | { entity: 'withdrawal'; of: 'attempt' | 'refund'; id: string; reservationId: string; paymentId: string; amount: number };

/** What else a move implies, outside the booking's own state (audit entries, notifications, live status). */
export interface TransitionObserver {
  onTransition(work: Work, transition: Transition, aggregate: Aggregate): Promise<void>;
}

export interface AttemptDetails {
  paymentIntentId?: string | null;
  failureCode?: string | null;
  failureMessage?: string | null;
}

export interface RefundDetails {
  stripeRefundId?: string;
  failureReason?: string | null;
}

export interface RefundClaim {
  /** chosen by the caller when its Stripe idempotency key is derived from it */
  id?: string;
  amount: number;
  policy: RefundPolicy;
  reason?: string | null;
  requestedBy?: string | null;
  /** the Stripe idempotency key this refund is sent with */
  idempotencyKey: string;
}

export class TransitionAuthority {
  private readonly observers: TransitionObserver[] = [];

  observe(observer: TransitionObserver): void {
    this.observers.push(observer);
  }

  // ------------------------------------------------------------------ reservations

  async moveReservation(work: Work, aggregate: Aggregate, to: ReservationStatus): Promise<void> {
    const { reservation } = aggregate;
    const from = reservation.status;
    if (!canMoveReservation(from, to)) throw new IllegalTransitionError('reservation', reservation.id, from, to);
    aggregate.reservation = await work.store.sql.one(SET_RESERVATION_STATUS, [reservation.id, to, work.now]);
    await this.tell(work, aggregate, { entity: 'reservation', id: reservation.id, reservationId: reservation.id, from, to });
  }

  /** Hold expiry: an unpaid PENDING reservation past its hold becomes EXPIRED; its open sessions are expired at Stripe. */
  async expireHold(work: Work, aggregate: Aggregate): Promise<boolean> {
    if (!holdExpiryDue(aggregate, work.now)) return false;
    await this.moveReservation(work, aggregate, R.EXPIRED);
    for (const attempt of aggregate.attempts) {
      if (attempt.status === A.PENDING && attempt.checkoutSessionId) {
        work.followUps.push({ kind: 'expire-session', sessionId: attempt.checkoutSessionId });
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ checkout attempts

  /** A new attempt, PENDING (the column's default): its session is created at Stripe after the commit. */
  async claimAttempt(
    work: Work,
    aggregate: Aggregate,
    data: { attempt: number; expiresAt: Date; idempotencyKey: string },
  ): Promise<Payment> {
    const { reservation } = aggregate;
    const attempt = await work.store.insertAttempt({
      id: randomUUID(),
      reservationId: reservation.id,
      attempt: data.attempt,
      amount: reservation.amount,
      currency: reservation.currency,
      expiresAt: data.expiresAt,
      idempotencyKey: data.idempotencyKey,
      at: work.now,
    });
    aggregate.attempts.unshift(attempt);
    await this.tell(work, aggregate, { entity: 'attempt', id: attempt.id, reservationId: reservation.id, from: null, to: A.PENDING, attempt });
    return attempt;
  }

  /**
   * A claim Stripe refused to create a session for (nothing exists there): it is
   * removed, so the attempt number is not lost to our own mistake or Stripe's limit.
   */
  async withdrawAttemptClaim(work: Work, aggregate: Aggregate, attemptId: string): Promise<void> {
    const claim = attemptIn(aggregate, attemptId);
    if (claim.status !== A.PENDING || claim.checkoutSessionId) {
      throw new IllegalTransitionError('payment attempt', attemptId, claim.status, 'withdrawn');
    }
    await work.store.deleteAttempt(attemptId);
    aggregate.attempts = aggregate.attempts.filter((a) => a.id !== attemptId);
    await this.tell(work, aggregate, {
      entity: 'withdrawal',
      of: 'attempt',
      id: attemptId,
      reservationId: aggregate.reservation.id,
      paymentId: attemptId,
      amount: claim.amount,
    });
  }

  /** True when `to` is a legal move for this attempt now (late or repeated events ask for moves that are not). */
  canMoveAttempt(attempt: Payment, to: AttemptStatus): boolean {
    return canMoveAttempt(attempt.status, to);
  }

  async moveAttempt(work: Work, aggregate: Aggregate, attemptId: string, to: AttemptStatus, details: AttemptDetails = {}): Promise<Payment> {
    const current = attemptIn(aggregate, attemptId);
    const from = current.status;
    if (!canMoveAttempt(from, to)) throw new IllegalTransitionError('payment attempt', attemptId, from, to);
    const data: Partial<Payment> = { status: to };
    if (details.paymentIntentId && !current.paymentIntentId) data.paymentIntentId = details.paymentIntentId;
    if (to === A.SUCCEEDED && !isPaid(from)) {
      data.failureCode = null;
      data.failureMessage = null;
    } else {
      if (details.failureCode !== undefined) data.failureCode = details.failureCode;
      if (details.failureMessage !== undefined) data.failureMessage = details.failureMessage;
    }
    const moved = await this.writeAttempt(work, aggregate, attemptId, data);
    await this.tell(work, aggregate, { entity: 'attempt', id: attemptId, reservationId: moved.reservationId, from, to, attempt: moved });
    if (to === A.SUCCEEDED && !isPaid(from)) await this.attemptPaid(work, aggregate, moved);
    return moved;
  }

  /**
   * Money taken: other open attempts are superseded, then the reservation is
   * confirmed, or the attempt refunded by itself when the booking cannot take it.
   */
  private async attemptPaid(work: Work, aggregate: Aggregate, paid: Payment): Promise<void> {
    for (const other of [...aggregate.attempts]) {
      if (other.id === paid.id || other.status !== A.PENDING) continue;
      await this.moveAttempt(work, aggregate, other.id, A.CANCELED);
      if (other.checkoutSessionId) work.followUps.push({ kind: 'expire-session', sessionId: other.checkoutSessionId });
    }
    const decision = onPaid(aggregate, paid, work.now);
    if (decision.confirm) {
      if (aggregate.reservation.status === R.PENDING) await this.moveReservation(work, aggregate, R.CONFIRMED);
      return;
    }
    const remaining = paid.amount - paid.refundedAmount;
    if (remaining > 0) {
      const refund = await this.claimRefund(work, aggregate, paid.id, {
        amount: remaining,
        policy: decision.refund,
        reason: decision.refund === RefundPolicy.DUPLICATE ? 'duplicate' : 'requested_by_customer',
        idempotencyKey: `automatic-refund:${paid.id}`,
      });
      work.followUps.push({ kind: 'submit-refund', refundId: refund.id });
    }
    if (aggregate.reservation.status === R.PENDING && aggregate.reservation.holdExpiresAt <= work.now) {
      await this.moveReservation(work, aggregate, R.EXPIRED);
    }
  }

  // ------------------------------------------------------------------ refunds

  /** A refund claimed here before Stripe is asked: its amount is held against the payment at once. */
  async claimRefund(work: Work, aggregate: Aggregate, attemptId: string, claim: RefundClaim): Promise<Refund> {
    const attempt = attemptIn(aggregate, attemptId);
    const refund = await work.store.insertRefund({
      id: claim.id ?? randomUUID(),
      paymentId: attempt.id,
      amount: claim.amount,
      currency: attempt.currency,
      reason: claim.reason ?? null,
      policy: claim.policy,
      requestedBy: claim.requestedBy ?? null,
      idempotencyKey: claim.idempotencyKey,
      createdAt: work.now,
    });
    aggregate.refunds.push(refund);
    await this.tell(work, aggregate, {
      entity: 'refund',
      id: refund.id,
      reservationId: aggregate.reservation.id,
      paymentId: attempt.id,
      from: null,
      to: 'REQUESTED',
      refund,
    });
    await this.followRefunds(work, aggregate, attempt.id);
    return refund;
  }

  /** A refund Stripe knows and we did not (made in the Dashboard): recorded, then moved to Stripe's state. */
  async recordStripeRefund(
    work: Work,
    aggregate: Aggregate,
    attemptId: string,
    data: { stripeRefundId: string; amount: number; policy: string; reason: string | null; createdAt: Date },
    phase: Exclude<RefundPhase, 'REQUESTED'>,
    failureReason: string | null,
  ): Promise<Refund> {
    const attempt = attemptIn(aggregate, attemptId);
    const refund = await work.store.insertRefund({
      id: randomUUID(),
      paymentId: attempt.id,
      amount: data.amount,
      currency: attempt.currency,
      reason: data.reason,
      policy: data.policy,
      requestedBy: null,
      idempotencyKey: null,
      createdAt: data.createdAt,
    });
    aggregate.refunds.push(refund);
    return this.moveRefund(work, aggregate, refund.id, phase, { stripeRefundId: data.stripeRefundId, failureReason });
  }

  canMoveRefund(refund: Refund, to: RefundPhase): boolean {
    return canMoveRefund(refundPhase(refund), to);
  }

  async moveRefund(work: Work, aggregate: Aggregate, refundId: string, to: RefundPhase, details: RefundDetails = {}): Promise<Refund> {
    const current = refundIn(aggregate, refundId);
    const from = refundPhase(current);
    if (!canMoveRefund(from, to)) throw new IllegalTransitionError('refund', refundId, from, to);
    const stripeRefundId = current.stripeRefundId ?? details.stripeRefundId ?? null;
    const failureReason = to === 'FAILED' || to === 'CANCELED' ? (details.failureReason ?? current.failureReason ?? 'failed').slice(0, 500) : current.failureReason;
    const moved = await work.store.sql.one<Refund>(SET_REFUND_STATE, [refundId, storedRefundStatus(to), stripeRefundId, failureReason, work.now]);
    aggregate.refunds = aggregate.refunds.map((r) => (r.id === refundId ? moved : r));
    await this.tell(work, aggregate, {
      entity: 'refund',
      id: refundId,
      reservationId: aggregate.reservation.id,
      paymentId: moved.paymentId,
      from,
      to,
      refund: moved,
    });
    await this.followRefunds(work, aggregate, moved.paymentId);
    return moved;
  }

  /**
   * A claim that must not stand: Stripe answered that what it refunds no longer
   * exists. It never moved money, so it is removed and its amount released.
   */
  async withdrawRefundClaim(work: Work, aggregate: Aggregate, refundId: string): Promise<void> {
    const current = refundIn(aggregate, refundId);
    if (refundPhase(current) !== 'REQUESTED') throw new IllegalTransitionError('refund', refundId, refundPhase(current), 'withdrawn');
    await work.store.deleteRefund(refundId);
    aggregate.refunds = aggregate.refunds.filter((r) => r.id !== refundId);
    await this.tell(work, aggregate, {
      entity: 'withdrawal',
      of: 'refund',
      id: refundId,
      reservationId: aggregate.reservation.id,
      paymentId: current.paymentId,
      amount: current.amount,
    });
    await this.followRefunds(work, aggregate, current.paymentId);
  }

  /**
   * After any refund change: the attempt's refunded amount is what its refunds
   * hold (claims included: the cap is never exceeded, even by concurrent
   * requests), its paid state is what Stripe accepted, and the booking follows.
   */
  private async followRefunds(work: Work, aggregate: Aggregate, attemptId: string): Promise<void> {
    const attempt = attemptIn(aggregate, attemptId);
    const held = aggregate.refunds
      .filter((r) => r.paymentId === attemptId && (r.status === 'PENDING' || r.status === 'SUCCEEDED'))
      .reduce((sum, r) => sum + r.amount, 0);
    const data: Partial<Payment> = {};
    if (held !== attempt.refundedAmount) data.refundedAmount = held;
    const paidState = isPaid(attempt.status) ? paidStatusFor(attempt.amount, acceptedRefunded(aggregate, attemptId)) : attempt.status;
    const from = attempt.status;
    if (paidState !== from) {
      if (!canMoveAttempt(from, paidState)) throw new IllegalTransitionError('payment attempt', attemptId, from, paidState);
      data.status = paidState;
    }
    if (Object.keys(data).length) {
      const moved = await this.writeAttempt(work, aggregate, attemptId, data);
      if (data.status) {
        await this.tell(work, aggregate, { entity: 'attempt', id: attemptId, reservationId: moved.reservationId, from, to: paidState, attempt: moved });
      }
    }
    if (cancellationDue(aggregate)) await this.moveReservation(work, aggregate, R.CANCELLED);
  }

  // ------------------------------------------------------------------ internals

  private async writeAttempt(work: Work, aggregate: Aggregate, attemptId: string, data: Partial<Payment>): Promise<Payment> {
    const next = { ...attemptIn(aggregate, attemptId), ...data };
    const moved = await work.store.sql.one<Payment>(SET_ATTEMPT_STATE, [
      attemptId,
      next.status,
      next.refundedAmount,
      next.paymentIntentId,
      next.failureCode,
      next.failureMessage,
      work.now,
      // ids adopted from Stripe in this work (settlement) are written with the move
      next.checkoutSessionId,
    ]);
    aggregate.attempts = aggregate.attempts.map((a) => (a.id === attemptId ? moved : a));
    return moved;
  }

  private async tell(work: Work, aggregate: Aggregate, transition: Transition): Promise<void> {
    work.touched.add(aggregate.reservation.id);
    for (const observer of this.observers) await observer.onTransition(work, transition, aggregate);
  }
}

function attemptIn(aggregate: Aggregate, id: string): Payment {
  const attempt = aggregate.attempts.find((a) => a.id === id);
  if (!attempt) throw new Error(`payment attempt ${id} is not part of reservation ${aggregate.reservation.id}`);
  return attempt;
}

function refundIn(aggregate: Aggregate, id: string): Refund {
  const refund = aggregate.refunds.find((r) => r.id === id);
  if (!refund) throw new Error(`refund ${id} is not part of reservation ${aggregate.reservation.id}`);
  return refund;
}
