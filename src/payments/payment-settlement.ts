/**
 * What Stripe's word does to an attempt and its reservation: the effects of the
 * checkout and payment events, applied inside the webhook's transaction under a
 * row lock on the payment, through the state machine (so they are idempotent
 * and monotonic: a repeated or late event changes nothing).
 */
import type { Payment } from '../db';
import { PaymentAttemptStatus as S, ReservationStatus as R } from '../db';
import type { Tx } from './payment.service';
import { canMoveAttempt, canMoveReservation, isPaid } from './payment-state-machine';

export type Effect = 'changed' | 'unchanged';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class PaymentSettlement {
  /**
   * The attempt a Stripe object belongs to, locked FOR UPDATE: by our metadata
   * (payment_id, with a matching reservation_id), else by the Stripe id. A row
   * claimed but not yet given its session (crash between Stripe and our write)
   * is found by metadata and adopts the session here.
   */
  async lockPayment(
    tx: Tx,
    ref: { metadata?: Record<string, string> | null; sessionId?: string | null; paymentIntentId?: string | null },
  ): Promise<Payment | null> {
    const paymentId = ref.metadata?.payment_id;
    let found: Payment | null = null;
    if (paymentId && UUID.test(paymentId)) {
      found = await tx.payment.findUnique({ where: { id: paymentId } });
      if (found && ref.metadata?.reservation_id && found.reservationId !== ref.metadata.reservation_id) found = null;
      if (found && ref.sessionId && found.checkoutSessionId && found.checkoutSessionId !== ref.sessionId) found = null;
    }
    if (!found && ref.sessionId) found = await tx.payment.findUnique({ where: { checkoutSessionId: ref.sessionId } });
    if (!found && ref.paymentIntentId) found = await tx.payment.findUnique({ where: { paymentIntentId: ref.paymentIntentId } });
    if (!found) return null;
    await tx.$queryRaw`SELECT id FROM payments WHERE id = ${found.id}::uuid FOR UPDATE`;
    const locked = await tx.payment.findUniqueOrThrow({ where: { id: found.id } });
    const adopt: { checkoutSessionId?: string; paymentIntentId?: string } = {};
    if (ref.sessionId && !locked.checkoutSessionId) adopt.checkoutSessionId = ref.sessionId;
    if (ref.paymentIntentId && !locked.paymentIntentId) adopt.paymentIntentId = ref.paymentIntentId;
    if (Object.keys(adopt).length) return tx.payment.update({ where: { id: locked.id }, data: adopt });
    return locked;
  }

  /**
   * Money taken: the attempt SUCCEEDED and, unless `confirm` is false (the
   * reservation can no longer be had), its reservation CONFIRMED, once.
   * Returns the other attempts whose sessions are still open, to be closed.
   */
  async succeed(
    tx: Tx,
    payment: Payment,
    paymentIntentId: string | null,
    confirm = true,
  ): Promise<{ effect: Effect; supersededSessionIds: string[] }> {
    if (isPaid(payment.status) || !canMoveAttempt(payment.status, S.SUCCEEDED)) {
      return { effect: 'unchanged', supersededSessionIds: [] };
    }
    await tx.payment.update({
      where: { id: payment.id },
      data: { status: S.SUCCEEDED, paymentIntentId: payment.paymentIntentId ?? paymentIntentId, failureCode: null, failureMessage: null },
    });
    if (confirm) await this.moveReservation(tx, payment.reservationId, R.CONFIRMED);
    // a newer attempt started meanwhile (the guest paid an old session during a retry) is superseded
    const open = await tx.payment.findMany({
      where: { reservationId: payment.reservationId, id: { not: payment.id }, status: S.PENDING },
    });
    for (const other of open) {
      await tx.payment.update({ where: { id: other.id }, data: { status: S.CANCELED } });
    }
    return {
      effect: 'changed',
      supersededSessionIds: open.map((o) => o.checkoutSessionId).filter((id): id is string => Boolean(id)),
    };
  }

  /** The reservation can no longer be had; an unpaid PENDING one whose hold lapsed becomes EXPIRED. */
  async expireReservationIfLapsed(tx: Tx, reservationId: string, now: Date): Promise<void> {
    await tx.$queryRaw`SELECT id FROM reservations WHERE id = ${reservationId} FOR UPDATE`;
    const reservation = await tx.reservation.findUniqueOrThrow({ where: { id: reservationId } });
    if (reservation.status === R.PENDING && reservation.holdExpiresAt <= now) {
      await tx.reservation.update({ where: { id: reservationId }, data: { status: R.EXPIRED } });
    }
  }

  async fail(tx: Tx, payment: Payment, failure?: { code: string | null; message: string | null }): Promise<Effect> {
    if (!canMoveAttempt(payment.status, S.FAILED)) return 'unchanged';
    await tx.payment.update({
      where: { id: payment.id },
      data: {
        status: S.FAILED,
        failureCode: failure?.code ?? payment.failureCode ?? 'payment_failed',
        failureMessage: failure?.message ?? payment.failureMessage,
      },
    });
    return 'changed';
  }

  async expire(tx: Tx, payment: Payment): Promise<Effect> {
    if (!canMoveAttempt(payment.status, S.EXPIRED)) return 'unchanged';
    await tx.payment.update({ where: { id: payment.id }, data: { status: S.EXPIRED } });
    return 'changed';
  }

  /**
   * A declined card: the session stays open (the guest may try another card); the
   * failure is recorded. Also enriches an attempt already FAILED by the async
   * failure event, which carries no reason of its own; the status never changes here.
   */
  async recordFailure(tx: Tx, payment: Payment, failure: { code: string | null; message: string | null }): Promise<Effect> {
    if (payment.status !== S.PENDING && payment.status !== S.FAILED) return 'unchanged';
    await tx.payment.update({
      where: { id: payment.id },
      data: { failureCode: failure.code ?? 'payment_failed', failureMessage: failure.message },
    });
    return 'changed';
  }

  async flagDispute(tx: Tx, payment: Payment): Promise<Effect> {
    if (payment.disputed) return 'unchanged';
    await tx.payment.update({ where: { id: payment.id }, data: { disputed: true } });
    return 'changed';
  }

  private async moveReservation(tx: Tx, reservationId: string, to: (typeof R)[keyof typeof R]): Promise<void> {
    await tx.$queryRaw`SELECT id FROM reservations WHERE id = ${reservationId} FOR UPDATE`;
    const reservation = await tx.reservation.findUniqueOrThrow({ where: { id: reservationId } });
    if (canMoveReservation(reservation.status, to)) {
      await tx.reservation.update({ where: { id: reservationId }, data: { status: to } });
    }
  }
}
