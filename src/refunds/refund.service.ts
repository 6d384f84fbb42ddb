/**
 * Refunds: by the cancellation policy for guests (the reservation is then
 * CANCELLED), any amount up to what remains for admins; kept in step with
 * Stripe's refund events, including refunds made outside this API.
 *
 * Refunds of one payment are serialized by a row lock on the payment: the
 * amount is reserved (payment.refunded_amount, which a CHECK keeps within the
 * paid amount) before Stripe is called, so concurrent requests can never refund
 * more than was paid. A refund Stripe refuses or cannot be reached for is marked
 * FAILED and its amount released; if Stripe did take it after all, its event
 * brings the row back in step.
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { assertOwnerOrAdmin } from '../auth/access';
import { isAdmin, type AuthUser } from '../auth/user';
import type { Payment, PrismaClient, Refund } from '../db';
import { RefundStatus, ReservationStatus as R } from '../db';
import { AppError, badInput, forbidden, notFound } from '../errors';
import type { RequestContext } from '../http/request-context';
import type { Log, Tx } from '../payments/payment.service';
import { canMoveAttempt, canMoveReservation, isPaid, paidStatusFor, refundedTotal } from '../payments/payment-state-machine';
import { isStripeRefusal, toProviderError } from '../stripe/stripe-errors';
import { guestRefundDue } from './refund-policy';

type RefundStatusValue = (typeof RefundStatus)[keyof typeof RefundStatus];

/** Policies this service writes into a refund's metadata; anything else (a Dashboard user's note) is not trusted. */
const OUR_POLICIES = new Set(['FULL', 'HALF', 'ADMIN', 'HOLD_LAPSED']);
/** A guest's cancellation-policy refund cancels the reservation; an admin's amount does not. */
const CANCELLING_POLICIES = new Set(['FULL', 'HALF']);

const STRIPE_STATUS: Record<string, RefundStatusValue> = {
  pending: RefundStatus.PENDING,
  requires_action: RefundStatus.PENDING,
  succeeded: RefundStatus.SUCCEEDED,
  failed: RefundStatus.FAILED,
  canceled: RefundStatus.CANCELED,
};

/** Refund status moves: a refund can still fail after it succeeded (Stripe's refund.failed). */
const REFUND_MOVES: Record<RefundStatusValue, RefundStatusValue[]> = {
  PENDING: [RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.CANCELED],
  SUCCEEDED: [RefundStatus.FAILED],
  FAILED: [],
  CANCELED: [],
};

export interface RefundRequest {
  paymentId: string;
  amount?: number | null;
  reason?: string | null;
  idempotencyKey?: string | null;
}

export class RefundService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly stripe: Stripe,
  ) {}

  async refundPayment(input: RefundRequest, user: AuthUser, ctx: Pick<RequestContext, 'log'>, now = new Date()): Promise<Refund> {
    if (input.amount != null && !isAdmin(user)) throw forbidden('Only an admin may refund an explicit amount');
    const payment = await this.prisma.payment.findUnique({ where: { id: input.paymentId }, include: { reservation: true } });
    if (!payment) throw notFound('Payment', input.paymentId);
    assertOwnerOrAdmin(user, payment.reservation.guestId, 'payment');
    const key = input.idempotencyKey
      ? `refund:${payment.id}:${input.idempotencyKey}`
      : `refund:${payment.id}:${randomUUID()}`;

    const claim = await this.prisma.$transaction(async (tx) => {
      const same = await tx.refund.findUnique({ where: { idempotencyKey: key } });
      if (same) return { existing: same };
      const locked = await lockPayment(tx, payment.id);
      if (!isPaid(locked.status)) {
        throw badInput('input.paymentId', 'this payment has not succeeded: there is nothing to refund');
      }
      const remaining = locked.amount - locked.refundedAmount;
      if (remaining <= 0) throw new AppError('ALREADY_REFUNDED', 'This payment is already refunded in full');
      let amount: number;
      let policy: string;
      if (input.amount != null) {
        if (input.amount <= 0) throw badInput('input.amount', 'must be a positive number of cents');
        if (input.amount > remaining) {
          throw new AppError('REFUND_EXCEEDS_PAYMENT', `At most ${remaining} cents remain refundable on this payment`, { remaining });
        }
        amount = input.amount;
        policy = 'ADMIN';
      } else {
        const due = guestRefundDue(locked, payment.reservation.checkIn, now);
        if (due.amount <= 0) {
          throw new AppError(
            'NO_REFUND_DUE',
            due.tier === 'NONE'
              ? 'Check-in is less than 7 days away: the cancellation policy refunds nothing'
              : 'The policy refund has already been made',
          );
        }
        amount = due.amount;
        policy = due.tier;
      }
      const refund = await tx.refund.create({
        data: {
          paymentId: locked.id,
          amount,
          currency: locked.currency,
          status: RefundStatus.PENDING,
          reason: input.reason ?? null,
          policy,
          requestedBy: user.id,
          idempotencyKey: key,
        },
      });
      await recomputePayment(tx, locked.id);
      return { refund };
    });
    if ('existing' in claim && claim.existing) return claim.existing;
    const { refund } = claim as { refund: Refund };

    return this.submit(refund, payment, ctx.log);
  }

  /**
   * Sends a claimed refund to Stripe with its idempotency key, then records
   * Stripe's answer. Refused or unreachable: the row is FAILED and its amount
   * released. A policy refund (FULL, HALF) cancels the reservation once accepted.
   */
  private async submit(refund: Refund, payment: Payment, log: Log): Promise<Refund> {
    let stripeRefund: Stripe.Refund;
    try {
      stripeRefund = await this.stripe.refunds.create(
        {
          payment_intent: payment.paymentIntentId!,
          amount: refund.amount,
          reason: 'requested_by_customer',
          metadata: { refund_id: refund.id, payment_id: payment.id, reservation_id: payment.reservationId },
        },
        { idempotencyKey: refund.idempotencyKey! },
      );
    } catch (err) {
      const unavailable = !isStripeRefusal(err);
      await this.prisma.$transaction(async (tx) => {
        await lockPayment(tx, payment.id);
        await tx.refund.updateMany({
          where: { id: refund.id, stripeRefundId: null, status: RefundStatus.PENDING },
          data: {
            status: RefundStatus.FAILED,
            failureReason: unavailable ? 'payment provider unavailable' : ((err as Error).message ?? 'refused').slice(0, 500),
          },
        });
        await recomputePayment(tx, payment.id);
      });
      throw toProviderError(err, log, 'refunds.create');
    }
    log.info({ refundId: refund.id, stripeRefundId: stripeRefund.id, amount: refund.amount }, 'refund accepted by Stripe');
    return this.prisma.$transaction(async (tx) => {
      await lockPayment(tx, payment.id);
      const synced = await applyStripeRefund(tx, payment.id, stripeRefund, refund.id);
      if (CANCELLING_POLICIES.has(refund.policy ?? '') && synced.status !== RefundStatus.FAILED) {
        const reservation = await tx.reservation.findUniqueOrThrow({ where: { id: payment.reservationId } });
        if (canMoveReservation(reservation.status, R.CANCELLED)) {
          await tx.reservation.update({ where: { id: reservation.id }, data: { status: R.CANCELLED } });
        }
      }
      return synced;
    });
  }

  /**
   * Refunds claimed but never confirmed by Stripe (the process stopped during the
   * call): sent again with the same idempotency key, so Stripe either returns the
   * refund it already made or makes it now; never twice.
   */
  async completeUnconfirmed(minAgeMs: number, log: Log, limit = 50): Promise<number> {
    const stuck = await this.prisma.refund.findMany({
      where: { status: RefundStatus.PENDING, stripeRefundId: null, createdAt: { lte: new Date(Date.now() - minAgeMs) } },
      include: { payment: true },
      take: limit,
    });
    let done = 0;
    for (const { payment, ...refund } of stuck) {
      try {
        await this.submit(refund, payment, log);
        done += 1;
      } catch (err) {
        log.warn({ err, refundId: refund.id }, 'an unconfirmed refund could not be completed');
      }
    }
    return done;
  }

  /** Webhook side: a Stripe refund object (refund.created / .updated / .failed, or from charge.refunded). */
  async syncFromStripe(
    tx: Tx,
    stripeRefund: Stripe.Refund,
    policyIfNew = 'EXTERNAL',
  ): Promise<{ paymentId: string; reservationId: string } | null> {
    const paymentId = stripeRefund.metadata?.payment_id;
    const intentId = typeof stripeRefund.payment_intent === 'string' ? stripeRefund.payment_intent : stripeRefund.payment_intent?.id;
    let payment: Payment | null = null;
    if (paymentId && /^[0-9a-f-]{36}$/i.test(paymentId)) payment = await tx.payment.findUnique({ where: { id: paymentId } });
    if (!payment && intentId) payment = await tx.payment.findUnique({ where: { paymentIntentId: intentId } });
    if (!payment) return null;
    await lockPayment(tx, payment.id);
    await applyStripeRefund(tx, payment.id, stripeRefund, stripeRefund.metadata?.refund_id, policyIfNew);
    return { paymentId: payment.id, reservationId: payment.reservationId };
  }
}

async function lockPayment(tx: Tx, paymentId: string): Promise<Payment> {
  await tx.$queryRaw`SELECT id FROM payments WHERE id = ${paymentId}::uuid FOR UPDATE`;
  return tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
}

/** Brings our row for a Stripe refund in step (creating it for a refund made elsewhere), then the payment's totals. */
async function applyStripeRefund(
  tx: Tx,
  paymentId: string,
  stripeRefund: Stripe.Refund,
  ourRefundId?: string,
  policyIfNew = 'EXTERNAL',
): Promise<Refund> {
  const target = STRIPE_STATUS[stripeRefund.status ?? 'pending'] ?? RefundStatus.PENDING;
  let row =
    (await tx.refund.findUnique({ where: { stripeRefundId: stripeRefund.id } })) ??
    (ourRefundId && /^[0-9a-f-]{36}$/i.test(ourRefundId)
      ? await tx.refund.findFirst({ where: { id: ourRefundId, paymentId } })
      : null);
  if (!row) {
    row = await tx.refund.create({
      data: {
        paymentId,
        amount: stripeRefund.amount,
        currency: stripeRefund.currency.toUpperCase(),
        status: target,
        reason: stripeRefund.reason ?? null,
        policy: OUR_POLICIES.has(stripeRefund.metadata?.policy ?? '') ? stripeRefund.metadata!.policy : policyIfNew,
        stripeRefundId: stripeRefund.id,
        failureReason: stripeRefund.failure_reason ?? null,
      },
    });
  } else {
    const data: Partial<Refund> = {};
    if (!row.stripeRefundId) data.stripeRefundId = stripeRefund.id;
    // a refund we marked FAILED because Stripe seemed unreachable, which Stripe did take
    const revived = row.status === RefundStatus.FAILED && !row.stripeRefundId && target !== RefundStatus.FAILED;
    if (revived || (row.status !== target && REFUND_MOVES[row.status].includes(target))) {
      data.status = target;
      data.failureReason = target === RefundStatus.FAILED ? (stripeRefund.failure_reason ?? 'failed') : null;
    }
    if (Object.keys(data).length) row = await tx.refund.update({ where: { id: row.id }, data });
  }
  await recomputePayment(tx, paymentId);
  return row;
}

/** refunded_amount = refunds that moved or may still move money; the paid status follows it. */
async function recomputePayment(tx: Tx, paymentId: string): Promise<void> {
  const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const refunds = await tx.refund.findMany({ where: { paymentId } });
  const refunded = Math.min(refundedTotal(refunds), payment.amount);
  const status = isPaid(payment.status) ? paidStatusFor(payment.amount, refunded) : payment.status;
  if (refunded !== payment.refundedAmount || status !== payment.status) {
    await tx.payment.update({
      where: { id: paymentId },
      data: {
        refundedAmount: refunded,
        status: status !== payment.status && canMoveAttempt(payment.status, status) ? status : payment.status,
      },
    });
  }
}
