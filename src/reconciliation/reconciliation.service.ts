/**
 * Catching up with Stripe when webhooks went missing, and the housekeeping that
 * no request triggers. Every correction goes through WebhookService.process, so
 * it is recorded, exactly-once and monotonic like a delivered event:
 *  - pending payments older than a few minutes are re-read from Stripe, and what
 *    Stripe says of their session is applied as the event it would have sent;
 *  - events Stripe failed to deliver are replayed from its Events API;
 *  - refunds claimed but never confirmed by Stripe are sent again with their key;
 *  - unpaid reservations past their hold are expired (and their sessions);
 *  - webhook events older than 90 days are deleted.
 */
import type Stripe from 'stripe';
import type { PrismaClient } from '../db';
import { PaymentAttemptStatus, ReservationStatus } from '../db';
import type { Log, PaymentService } from '../payments/payment.service';
import type { RefundService } from '../refunds/refund.service';
import type { WebhookService } from '../webhooks/webhook.service';

export const PENDING_AGE_MS = 5 * 60 * 1000;
export const EVENT_RETENTION_DAYS = 90;
const REPLAY_WINDOW_S = 3 * 24 * 3600;

export class ReconciliationService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly stripe: Stripe,
    private readonly webhooks: WebhookService,
    private readonly payments: PaymentService,
    private readonly refunds: RefundService,
    private readonly log: Log,
  ) {}

  /** Refunds claimed but never confirmed by Stripe (a crash during the call), completed with their own key. */
  completeUnconfirmedRefunds(minAgeMs = PENDING_AGE_MS): Promise<number> {
    return this.refunds.completeUnconfirmed(minAgeMs, this.log);
  }

  /** Pending attempts with a session, older than `minAgeMs`: apply the session's state as Stripe reports it. */
  async reconcilePendingPayments(minAgeMs = PENDING_AGE_MS, limit = 100): Promise<number> {
    const stale = await this.prisma.payment.findMany({
      where: {
        status: PaymentAttemptStatus.PENDING,
        checkoutSessionId: { not: null },
        createdAt: { lte: new Date(Date.now() - minAgeMs) },
      },
      orderBy: { createdAt: 'asc' },
      take: limit,
    });
    let applied = 0;
    for (const payment of stale) {
      const session = await this.stripe.checkout.sessions.retrieve(payment.checkoutSessionId!, { expand: ['payment_intent'] });
      const intent = session.payment_intent as Stripe.PaymentIntent | null;
      const asyncFailed = session.status === 'complete' && session.payment_status === 'unpaid' && intent?.status === 'requires_payment_method';
      const type =
        session.status === 'expired'
          ? 'checkout.session.expired'
          : asyncFailed
            ? 'checkout.session.async_payment_failed'
            : session.status === 'complete'
              ? 'checkout.session.completed'
              : null;
      // the handlers take the session as Stripe sends it in events: payment_intent as an id
      const sessionObject = { ...session, payment_intent: intent?.id ?? null };
      if (!type) continue; // still open at Stripe: nothing was missed
      // A synthetic event, named by what it settles, so the same finding is applied once.
      const event = {
        id: `reconcile_${session.id}_${type}_${session.payment_status}`,
        object: 'event',
        type,
        created: Math.floor(Date.now() / 1000),
        livemode: session.livemode,
        data: { object: sessionObject },
      } as unknown as Stripe.Event;
      const outcome = await this.webhooks.process(event, Buffer.from(JSON.stringify(event)));
      if (outcome === 'processed') applied += 1;
    }
    if (applied) this.log.info({ applied }, 'reconciled pending payments from Stripe');
    return applied;
  }

  /** Events Stripe could not deliver in the last three days, processed now (duplicates are recognised by id). */
  async replayUndeliveredEvents(): Promise<number> {
    let replayed = 0;
    const since = Math.floor(Date.now() / 1000) - REPLAY_WINDOW_S;
    for await (const event of this.stripe.events.list({ delivery_success: false, created: { gte: since }, limit: 100 })) {
      const outcome = await this.webhooks.process(event, Buffer.from(JSON.stringify(event)));
      if (outcome !== 'duplicate') replayed += 1;
    }
    if (replayed) this.log.info({ replayed }, 'replayed undelivered Stripe events');
    return replayed;
  }

  /** Unpaid PENDING reservations past their hold become EXPIRED, their open sessions expired at Stripe. */
  async expireLapsedHolds(limit = 100): Promise<number> {
    const lapsed = await this.prisma.reservation.findMany({
      where: { status: ReservationStatus.PENDING, holdExpiresAt: { lte: new Date() } },
      take: limit,
    });
    for (const reservation of lapsed) await this.payments.expireLapsedHold(reservation, this.log);
    return lapsed.length;
  }

  async purgeOldEvents(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - EVENT_RETENTION_DAYS * 86_400_000);
    const { count } = await this.prisma.webhookEvent.deleteMany({ where: { receivedAt: { lt: cutoff } } });
    return count;
  }
}
