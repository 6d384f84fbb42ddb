/**
 * Refunds: by the cancellation policy for guests, any amount up to what remains
 * for admins, sent to Stripe with an idempotency key, and never more than once.
 *
 * A refund is claimed under the reservation's lock before Stripe is called: its
 * amount is held against the payment at once (payments.refunded_amount, which a
 * CHECK keeps within the paid amount), so concurrent requests can never refund
 * more than was paid. Then Stripe answers:
 *  - done: the refund is recorded as Stripe reports it (and the booking follows);
 *  - refused: the claim is FAILED and its amount released (PAYMENT_PROVIDER_ERROR);
 *  - unknown (timeout, reset, 5xx): the claim stays PENDING with its key, and the
 *    PENDING refund is returned. The same request (same idempotencyKey) sends
 *    that key again; so does the background job within a minute; the webhook that
 *    reveals it records it. Until then no other refund of the payment is taken,
 *    so no client action can move the money twice.
 *
 * Client idempotency keys work like Stripe's: scoped to the caller, checked
 * under a lock, the same key with other parameters refused, a key whose first
 * try was refused may be tried again, kept at least 24 h.
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { assertOwnerOrAdmin } from '../auth/access';
import type { Caller } from '../auth/caller';
import { causeOf } from '../auth/caller';
import { isAdmin } from '../auth/user';
import type { Clock } from '../common/clock';
import type { Log } from '../common/log';
import type { Payment, PrismaClient, Refund } from '../db';
import { AppError, badInput, forbidden, notFound } from '../errors';
import { lockAggregate } from '../lifecycle/aggregate';
import { RefundPolicy } from '../lifecycle/booking-rules';
import type { TransitionAuthority } from '../lifecycle/transition-authority';
import { refundPhase } from '../lifecycle/transitions';
import type { Cause, UnitOfWork } from '../lifecycle/work';
import { isPaid } from '../payments/payment-rules';
import type { SettlementService } from '../settlement/settlement.service';
import { refundFact } from '../stripe/stripe-facts';
import { callStripe, logStripeTrouble, pendingError, refusalError } from '../stripe/stripe-outcome';
import { guestRefundDue, noRefundDueReason } from './refund-policy';

export interface RefundRequest {
  paymentId: string;
  amount?: number | null;
  reason?: string | null;
  idempotencyKey?: string | null;
}

/** Keys are kept this long at least (Stripe keeps its own 24 h). */
export const IDEMPOTENCY_KEY_RETENTION_MS = 7 * 86_400_000;

/** The parameters a key was first used with: the same key must come with the same ones. */
type KeyedRequest = { paymentId: string; amount: number | null; reason: string | null };

/** A payment with its reservation's organization (it goes to Stripe with the refund's metadata). */
type PaymentInOrg = Payment & { reservation: { orgId: string } };
const WITH_ORG = { reservation: { select: { orgId: true } } } as const;

export class RefundService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly stripe: Stripe,
    private readonly work: UnitOfWork,
    private readonly authority: TransitionAuthority,
    private readonly settlement: SettlementService,
    private readonly clock: Clock,
    /** how long a claim may be waiting on its first Stripe call (the SDK's timeout and retries) before it counts as uncertain */
    private readonly inFlightMs: number,
  ) {}

  async refundPayment(input: RefundRequest, caller: Caller): Promise<Refund> {
    const { user } = caller;
    if (input.amount != null && !isAdmin(user)) throw forbidden('Only an admin may refund an explicit amount');
    const payment = await this.prisma.payment.findUnique({ where: { id: input.paymentId }, include: { reservation: true } });
    if (!payment) throw notFound('Payment', input.paymentId);
    assertOwnerOrAdmin(user, payment.reservation, { type: 'Payment', id: input.paymentId });
    const request: KeyedRequest = { paymentId: payment.id, amount: input.amount ?? null, reason: input.reason ?? null };
    const scope = `refundPayment:${user.id}`;

    const outcome = await this.work.run(causeOf(caller), caller.log, async (work) => {
      // same-key requests queue here, whichever payment they name, and see each other's claims
      if (input.idempotencyKey) await work.store.advisoryLock(`${scope}:${input.idempotencyKey}`);
      const aggregate = (await lockAggregate(work, payment.reservationId))!;
      const attempt = aggregate.attempts.find((a) => a.id === payment.id)!;

      let tries = 1;
      if (input.idempotencyKey) {
        const stored = await work.store.idempotencyKey(scope, input.idempotencyKey);
        if (stored) {
          assertSameRequest(stored.request as KeyedRequest, request);
          const earlier = aggregate.refunds.find((r) => r.id === stored.refundId);
          const phase = earlier ? refundPhase(earlier) : null;
          if (earlier && phase !== 'FAILED' && phase !== 'CANCELED') return { refund: earlier, send: phase === 'REQUESTED' };
          tries = stored.tries + 1; // the first try was refused: this one is sent again, as a new claim
        }
      }

      if (aggregate.refunds.some((r) => r.paymentId === attempt.id && this.isUncertain(r, work.now))) {
        throw pendingError(
          'A refund of this payment is waiting for the payment provider to confirm it; it is completed automatically within minutes. Send the same request with its idempotencyKey to check on it, or ask again later',
          { paymentId: attempt.id },
        );
      }
      const { amount, policy } = this.amountAndPolicy(input, attempt, payment.reservation.checkIn, work.now);
      const id = randomUUID();
      const refund = await this.authority.claimRefund(work, aggregate, attempt.id, {
        id,
        amount,
        policy,
        reason: input.reason ?? null,
        requestedBy: user.id,
        idempotencyKey: `refund:${id}`,
      });
      if (input.idempotencyKey) {
        await work.store.saveIdempotencyKey({ scope, key: input.idempotencyKey, request, refundId: refund.id, tries, createdAt: work.now });
      }
      return { refund, send: true };
    });
    if (!outcome.send) return outcome.refund;
    return this.submit(outcome.refund, payment, causeOf(caller), caller.log, { throwOnRefusal: true });
  }

  /** Under the lock: the amount this request refunds and the policy that decided it, or why it refunds nothing. */
  private amountAndPolicy(input: RefundRequest, attempt: Payment, checkIn: Date, now: Date): { amount: number; policy: RefundPolicy } {
    if (!isPaid(attempt.status)) throw badInput('input.paymentId', 'this payment has not succeeded: there is nothing to refund');
    const remaining = attempt.amount - attempt.refundedAmount;
    if (remaining <= 0) throw new AppError('ALREADY_REFUNDED', 'This payment is already refunded in full');
    if (input.amount != null) {
      if (input.amount <= 0) throw badInput('input.amount', 'must be a positive number of cents');
      if (input.amount > remaining) {
        throw new AppError('REFUND_EXCEEDS_PAYMENT', `At most ${remaining} cents remain refundable on this payment`, { remaining });
      }
      return { amount: input.amount, policy: RefundPolicy.ADMIN };
    }
    const due = guestRefundDue(attempt, checkIn, now);
    if (due.amount <= 0 || due.tier === 'NONE') {
      throw new AppError('NO_REFUND_DUE', noRefundDueReason(due.tier));
    }
    return { amount: due.amount, policy: due.tier };
  }

  /** A claim whose Stripe call came back unknown, or has been waiting longer than any call can take (its process stopped). */
  private isUncertain(refund: Refund, now: Date): boolean {
    if (refundPhase(refund) !== 'REQUESTED') return false;
    return refund.uncertainSince !== null || refund.createdAt.getTime() < now.getTime() - this.inFlightMs;
  }

  /**
   * Sends a claimed refund to Stripe with its own idempotency key and records the
   * answer (module comment). Returns the refund as it stands afterwards.
   */
  async submit(refund: Refund, payment: PaymentInOrg, cause: Cause, log: Log, options: { throwOnRefusal: boolean }): Promise<Refund> {
    if (!payment.paymentIntentId) throw new Error(`payment ${payment.id} is paid but has no PaymentIntent`);
    const paymentIntentId = payment.paymentIntentId;
    const outcome = await callStripe(() =>
      this.stripe.refunds.create(
        {
          payment_intent: paymentIntentId,
          amount: refund.amount,
          reason: refund.policy === RefundPolicy.DUPLICATE ? 'duplicate' : 'requested_by_customer',
          // the policy travels with the refund: its own events may be processed before this answer
          metadata: {
            refund_id: refund.id,
            payment_id: payment.id,
            reservation_id: payment.reservationId,
            org_id: payment.reservation.orgId,
            policy: refund.policy ?? '',
          },
        },
        { idempotencyKey: refund.idempotencyKey! },
      ),
    );
    if (outcome.kind === 'done') {
      log.info({ refundId: refund.id, stripeRefundId: outcome.value.id, amount: refund.amount }, 'refund accepted by Stripe');
      await this.settlement.settle([refundFact(outcome.value)], cause, log);
      return this.prisma.refund.findUniqueOrThrow({ where: { id: refund.id } });
    }
    logStripeTrouble(log, 'refunds.create', outcome);
    if (outcome.kind === 'unknown') {
      await this.prisma.refund.updateMany({ where: { id: refund.id, uncertainSince: null }, data: { uncertainSince: this.clock.now() } });
      return this.prisma.refund.findUniqueOrThrow({ where: { id: refund.id } });
    }
    await this.work.run(cause, log, async (work) => {
      const aggregate = await lockAggregate(work, payment.reservationId);
      const current = aggregate?.refunds.find((r) => r.id === refund.id);
      if (!aggregate || !current || refundPhase(current) !== 'REQUESTED') return; // its event got there first
      if (outcome.missing) {
        // what it refunds no longer exists at Stripe: no money can have moved, so no refund is recorded
        await this.authority.withdrawRefundClaim(work, aggregate, refund.id);
        await work.store.deleteIdempotencyKeysOfRefund(refund.id);
      } else if (!outcome.transient) {
        await this.authority.moveRefund(work, aggregate, refund.id, 'FAILED', { failureReason: (outcome.error.message ?? 'refused').slice(0, 500) });
      } else {
        await this.authority.moveRefund(work, aggregate, refund.id, 'FAILED', { failureReason: 'the payment provider was rate limiting; nothing was refunded' });
      }
    });
    if (options.throwOnRefusal) throw refusalError(outcome);
    return this.prisma.refund.findUniqueOrThrow({ where: { id: refund.id } });
  }

  /** A follow-up of committed work (an automatic refund): the claim, sent. */
  async submitClaim(refundId: string, cause: Cause, log: Log): Promise<void> {
    const claim = await this.prisma.refund.findUnique({ where: { id: refundId }, include: { payment: { include: WITH_ORG } } });
    if (!claim || claim.stripeRefundId || claim.status !== 'PENDING') return;
    const { payment, ...refund } = claim;
    await this.submit(refund, payment, cause, log, { throwOnRefusal: false });
  }

  /**
   * The background job: claims Stripe has not confirmed (a lost answer, a stopped
   * process), older than `minAgeMs`, are sent again with their own key, so Stripe
   * returns the refund it made or makes it now; never twice. One item's failure
   * does not stop the others.
   */
  async completeUnconfirmed(minAgeMs: number, cause: Cause, log: Log, limit = 50): Promise<number> {
    const stuck = await this.prisma.refund.findMany({
      where: { status: 'PENDING', stripeRefundId: null, createdAt: { lte: new Date(this.clock.now().getTime() - minAgeMs) } },
      include: { payment: { include: WITH_ORG } },
      orderBy: { createdAt: 'asc' },
      take: limit,
    });
    let settled = 0;
    for (const { payment, ...refund } of stuck) {
      try {
        const after = await this.submit(refund, payment, cause, log, { throwOnRefusal: false });
        if (after.stripeRefundId || after.status !== 'PENDING') settled += 1;
      } catch (err) {
        log.warn({ err, refundId: refund.id }, 'an unconfirmed refund could not be completed now; the next run tries again');
      }
    }
    return settled;
  }

  /** Retention of client idempotency keys. */
  async purgeIdempotencyKeys(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - IDEMPOTENCY_KEY_RETENTION_MS);
    const { count } = await this.prisma.idempotencyKey.deleteMany({ where: { createdAt: { lt: cutoff } } });
    return count;
  }
}

function assertSameRequest(first: KeyedRequest, now: KeyedRequest): void {
  const differing = (Object.keys(now) as (keyof KeyedRequest)[]).filter((k) => (first[k] ?? null) !== (now[k] ?? null));
  if (differing.length) {
    const described = differing.map((k) => `${k} ${JSON.stringify(first[k])}`).join(', ');
    throw new AppError(
      'BAD_USER_INPUT',
      `input.idempotencyKey: this key was first used with ${described}; use a new key for a different request`,
      { fields: differing.map((k) => ({ field: k === 'paymentId' ? 'input.paymentId' : `input.${k}`, message: 'differs from the first request with this idempotencyKey' })) },
    );
  }
}

