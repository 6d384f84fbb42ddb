/**
 * Catching up with Stripe when webhooks went missing or answers were lost, and
 * the housekeeping no request triggers. Reads become facts at the edge and are
 * applied through the same settlement as webhook events; one item's Stripe
 * error skips that item, never the batch.
 *  - pending attempts older than a few minutes are re-read from Stripe;
 *  - claims that never got a session are ended once their expiry has passed;
 *  - events Stripe failed to deliver are replayed from its Events API;
 *  - refunds claimed but not confirmed by Stripe are sent again with their key;
 *  - unpaid reservations past their hold are expired (and their sessions);
 *  - recently touched payments are compared with Stripe and repaired;
 *  - old webhook events and idempotency keys are deleted.
 */
import type Stripe from 'stripe';
import type { AuditRetention } from '../audit/audit-retention';
import type { Clock } from '../common/clock';
import type { Log } from '../common/log';
import type { PrismaClient } from '../db';
import { PaymentAttemptStatus, ReservationStatus } from '../db';
import { type Cause, systemCause } from '../lifecycle/work';
import type { CheckoutService } from '../payments/checkout.service';
import type { PaymentService } from '../payments/payment.service';
import type { RefundService } from '../refunds/refund.service';
import type { SettlementService } from '../settlement/settlement.service';
import { factsFromSession } from '../stripe/stripe-facts';
import { callStripe, logStripeTrouble } from '../stripe/stripe-outcome';
import type { WebhookService } from '../webhooks/webhook.service';
import type { Metrics } from '../metrics/metrics';
import type { ConsistencyService } from './consistency.service';

export const PENDING_AGE_MS = 5 * 60 * 1000;
/** Unconfirmed refunds are sent again after this long: longer than any in-flight call takes. */
export const UNCONFIRMED_REFUND_AGE_MS = 60 * 1000;
const REPLAY_WINDOW_S = 3 * 24 * 3600;
/** The background consistency check looks at payments touched this recently. */
const VERIFY_WINDOW_MS = 60 * 60 * 1000;

export class ReconciliationService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly stripe: Stripe,
    private readonly webhooks: WebhookService,
    private readonly settlement: SettlementService,
    private readonly checkout: CheckoutService,
    private readonly payments: PaymentService,
    private readonly refunds: RefundService,
    private readonly consistency: ConsistencyService,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly auditRetention: AuditRetention,
    private readonly metrics?: Metrics,
  ) {}

  private ago(ms: number): Date {
    return new Date(this.clock.now().getTime() - ms);
  }

  /** Refunds claimed but never confirmed by Stripe (a lost answer, a crash during the call), completed with their own key. */
  completeUnconfirmedRefunds(minAgeMs = UNCONFIRMED_REFUND_AGE_MS): Promise<number> {
    return this.refunds.completeUnconfirmed(minAgeMs, systemCause('complete-unconfirmed-refunds'), this.log);
  }

  /** Pending attempts with a session, older than `minAgeMs`: what Stripe says of the session is applied. */
  async reconcilePendingPayments(minAgeMs = PENDING_AGE_MS, limit = 100): Promise<number> {
    const cause: Cause = { ...systemCause('reconcile-pending-payments'), purpose: 'repair' };
    const stale = await this.prisma.payment.findMany({
      where: { status: PaymentAttemptStatus.PENDING, checkoutSessionId: { not: null }, createdAt: { lte: this.ago(minAgeMs) } },
      orderBy: { createdAt: 'asc' },
      take: limit,
    });
    let applied = 0;
    for (const payment of stale) {
      const sessionId = payment.checkoutSessionId!;
      const read = await callStripe(() => this.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] }));
      let facts;
      if (read.kind === 'done') facts = factsFromSession(read.value);
      else if (read.kind === 'refused' && read.missing) facts = [{ kind: 'SessionVanished' as const, ref: { paymentId: payment.id, sessionId } }];
      else {
        logStripeTrouble(this.log, 'checkout.sessions.retrieve', read);
        continue; // this one waits for the next run; the others go on
      }
      if (!facts.length) continue; // still open at Stripe: nothing was missed
      try {
        await this.settlement.settle(facts, cause, this.log);
        const after = await this.prisma.payment.findUnique({ where: { id: payment.id }, select: { status: true } });
        if (after && after.status !== PaymentAttemptStatus.PENDING) applied += 1;
      } catch (err) {
        this.log.warn({ err, paymentId: payment.id }, 'could not apply what Stripe says of a pending payment; the next run tries again');
      }
    }
    if (applied) this.log.info({ applied }, 'reconciled pending payments from Stripe');
    return applied;
  }

  /** Claims whose session was never confirmed and whose expiry has passed are ended, so the next attempt may start. */
  endSessionlessClaims(): Promise<number> {
    return this.checkout.endSessionlessClaims(systemCause('end-sessionless-claims'), this.log);
  }

  /** Events Stripe could not deliver in the last three days, processed now (duplicates are recognised by id). */
  async replayUndeliveredEvents(): Promise<number> {
    let replayed = 0;
    const since = Math.floor(this.clock.now().getTime() / 1000) - REPLAY_WINDOW_S;
    for await (const event of this.stripe.events.list({ delivery_success: false, created: { gte: since }, limit: 100 })) {
      try {
        // recorded like a delivery (a known id records nothing), then processed at once
        await this.webhooks.receive(event, Buffer.from(JSON.stringify(event)));
        const outcome = await this.webhooks.processEvent(event.id, this.log);
        if (outcome !== 'duplicate') replayed += 1;
      } catch (err) {
        this.log.warn({ err, stripeEventId: event.id }, 'an undelivered event could not be processed; the next run tries again');
      }
    }
    if (replayed) this.log.info({ replayed }, 'replayed undelivered Stripe events');
    return replayed;
  }

  /** Unpaid PENDING reservations past their hold become EXPIRED, their open sessions expired at Stripe. */
  async expireLapsedHolds(limit = 100): Promise<number> {
    const cause = systemCause('expire-lapsed-holds');
    const lapsed = await this.prisma.reservation.findMany({
      where: { status: ReservationStatus.PENDING, holdExpiresAt: { lte: this.clock.now() } },
      select: { id: true },
      take: limit,
    });
    let expired = 0;
    for (const { id } of lapsed) if (await this.payments.expireLapsedHold(id, cause, this.log)) expired += 1;
    return expired;
  }

  /** The consistency check over recently touched payments, repairing what Stripe's record settles. */
  async verifyRecentPayments(): Promise<number> {
    const report = await this.consistency.check(
      { from: this.ago(VERIFY_WINDOW_MS), limit: 200 },
      { repair: true, cause: systemCause('verify-recent-payments'), log: this.log },
    );
    if (report.repaired) this.log.warn({ repaired: report.repaired }, 'reconciliation repaired differences with Stripe');
    this.metrics?.repaired(report.repaired);
    return report.repaired;
  }

  async purgeOldRecords(): Promise<number> {
    return (await this.webhooks.purgeOldEvents()) + (await this.refunds.purgeIdempotencyKeys()) + (await this.auditRetention.purge());
  }
}
