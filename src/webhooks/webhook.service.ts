/**
 * Stripe events, exactly once: each event is recorded by its id and processed
 * in the same transaction as its effects. A duplicate (or a concurrent copy,
 * which waits on the event row's lock) finds it processed and changes nothing;
 * a failure rolls everything back, is noted on the event row, and answers 5xx so
 * that Stripe's next delivery processes it.
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { PrismaClient } from '../db';
import { PaymentAttemptStatus, ReservationStatus, WebhookEventResult } from '../db';
import { holdLapsed, isPaid } from '../payments/payment-state-machine';
import type { Tx } from '../payments/payment.service';
import { PaymentSettlement } from '../payments/payment-settlement';
import type { RefundService } from '../refunds/refund.service';

export type WebhookOutcome = 'processed' | 'ignored' | 'duplicate';

interface HandlerResult {
  result: 'PROCESSED' | 'IGNORED';
  reservationId?: string | null;
  paymentId?: string | null;
}

/** `afterCommit`: Stripe calls to make once the event's transaction has committed (never inside it). */
type Handler = (tx: Tx, event: Stripe.Event, prepared: unknown, afterCommit: AfterCommit) => Promise<HandlerResult>;
type AfterCommit = Array<() => Promise<void>>;
/** Runs before the transaction: reads from Stripe what the event alone cannot settle. */
type Preparer = (event: Stripe.Event) => Promise<unknown>;

const ignored: HandlerResult = { result: 'IGNORED' };

interface LatePaymentRefund {
  refund: Stripe.Refund;
}

// SPEC's codes: `card_declined`, or the specific decline reason when Stripe gives one (`insufficient_funds`)
const failureOf = (pi: Stripe.PaymentIntent) => ({
  code:
    pi.last_payment_error?.decline_code && pi.last_payment_error.decline_code !== 'generic_decline'
      ? pi.last_payment_error.decline_code
      : (pi.last_payment_error?.code ?? null),
  message: pi.last_payment_error?.message ?? null,
});

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : (value?.id ?? null));

export class WebhookService {
  private readonly handlers: Partial<Record<string, Handler>>;
  private readonly preparers: Partial<Record<string, Preparer>>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly stripe: Stripe,
    private readonly refunds: RefundService,
    private readonly settlement = new PaymentSettlement(),
  ) {
    const refundEvent: Handler = (tx, e) => this.refundChanged(tx, [e.data.object as Stripe.Refund]);
    this.handlers = {
      'checkout.session.completed': (tx, e, p, after) =>
        this.sessionCompleted(tx, e.data.object as Stripe.Checkout.Session, p as LatePaymentRefund | null, after),
      'checkout.session.async_payment_succeeded': (tx, e, p, after) =>
        this.sessionCompleted(tx, e.data.object as Stripe.Checkout.Session, p as LatePaymentRefund | null, after),
      'checkout.session.async_payment_failed': (tx, e) =>
        this.sessionAsyncFailed(tx, e.data.object as Stripe.Checkout.Session),
      'checkout.session.expired': (tx, e) => this.sessionExpired(tx, e.data.object as Stripe.Checkout.Session),
      'payment_intent.payment_failed': (tx, e) => this.paymentFailed(tx, e.data.object as Stripe.PaymentIntent),
      'charge.dispute.created': (tx, e) => this.disputeCreated(tx, e.data.object as Stripe.Dispute),
      'refund.created': refundEvent,
      'refund.updated': refundEvent,
      'refund.failed': refundEvent,
      'charge.refunded': (tx, _e, prepared) => this.refundChanged(tx, prepared as Stripe.Refund[]),
    };
    this.preparers = {
      'checkout.session.completed': (e) => this.prepareLatePayment(e),
      'checkout.session.async_payment_succeeded': (e) => this.prepareLatePayment(e),
      // the charge in the event does not list its refunds: read them all from Stripe
      'charge.refunded': async (e) => {
        const charge = e.data.object as Stripe.Charge;
        const listed = await this.stripe.refunds.list({ charge: charge.id, limit: 100 });
        return listed.data;
      },
    };
  }

  async process(event: Stripe.Event, rawBody: Buffer): Promise<WebhookOutcome> {
    const payloadSha256 = createHash('sha256').update(rawBody).digest('hex');
    try {
      const prepared = await this.preparers[event.type]?.(event);
      const afterCommit: AfterCommit = [];
      const outcome = await this.prisma.$transaction(
        async (tx) => {
          await tx.webhookEvent.createMany({
            data: [{ id: event.id, type: event.type, payloadSha256, stripeCreatedAt: new Date(event.created * 1000) }],
            skipDuplicates: true,
          });
          // concurrent deliveries of one event queue here; the later ones find it processed
          await tx.$queryRaw`SELECT id FROM webhook_events WHERE id = ${event.id} FOR UPDATE`;
          const row = await tx.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
          if (row.processedAt) return 'duplicate';

          const handler = this.handlers[event.type];
          const outcome = handler ? await handler(tx, event, prepared, afterCommit) : ignored;
          await tx.webhookEvent.update({
            where: { id: event.id },
            data: {
              processedAt: new Date(),
              result: outcome.result,
              error: null,
              reservationId: outcome.reservationId ?? null,
              paymentId: outcome.paymentId ?? null,
            },
          });
          return outcome.result === 'PROCESSED' ? 'processed' : 'ignored';
        },
        { timeout: 15_000, maxWait: 15_000 },
      );
      for (const call of afterCommit) await call();
      return outcome;
    } catch (err) {
      // Everything above rolled back; leave a trace for operators, unprocessed, so a redelivery runs it.
      // (A concurrent copy that did process it is left alone: only unprocessed rows are marked.)
      const error = String((err as Error).message ?? err).slice(0, 1000);
      await this.prisma.webhookEvent
        .createMany({
          data: [{ id: event.id, type: event.type, payloadSha256, stripeCreatedAt: new Date(event.created * 1000) }],
          skipDuplicates: true,
        })
        .then(() =>
          this.prisma.webhookEvent.updateMany({
            where: { id: event.id, processedAt: null },
            data: { result: WebhookEventResult.FAILED, error },
          }),
        )
        .catch(() => undefined);
      throw err;
    }
  }

  /**
   * Paid (or delayed: wait). A payment for a reservation that can no longer be
   * had (hold lapsed, cancelled, or already paid by another attempt) is refunded
   * in full; the refund was made before the transaction (see prepareLatePayment)
   * with a key of its own, so a redelivery never refunds twice.
   */
  private async sessionCompleted(
    tx: Tx,
    session: Stripe.Checkout.Session,
    prepared: LatePaymentRefund | null,
    afterCommit: AfterCommit,
  ): Promise<HandlerResult> {
    const payment = await this.settlement.lockPayment(tx, {
      metadata: session.metadata,
      sessionId: session.id,
      paymentIntentId: idOf(session.payment_intent),
    });
    if (!payment) return ignored;
    const linked: HandlerResult = { result: 'PROCESSED', paymentId: payment.id, reservationId: payment.reservationId };
    if (session.payment_status !== 'paid' && session.payment_status !== 'no_payment_required') {
      return linked; // unpaid: a delayed method; async_payment_succeeded / _failed settle it
    }
    if (isPaid(payment.status)) return linked;
    const now = new Date();
    const refundDue = await this.latePaymentMustBeRefunded(tx, payment, now);
    if (refundDue && !prepared) {
      // the reservation changed since the preparation: let Stripe redeliver, and prepare again
      throw new Error('reservation no longer payable; refund must be prepared first');
    }
    const { supersededSessionIds } = await this.settlement.succeed(tx, payment, idOf(session.payment_intent), !refundDue);
    if (refundDue && prepared) {
      await this.settlement.expireReservationIfLapsed(tx, payment.reservationId, now);
      await this.refunds.syncFromStripe(tx, prepared.refund, 'HOLD_LAPSED');
    }
    afterCommit.push(...supersededSessionIds.map((id) => () => this.expireAtStripe(id)));
    return linked;
  }

  /** A paid attempt whose reservation cannot be confirmed: lapsed hold, cancelled, or paid by another attempt. */
  private async latePaymentMustBeRefunded(db: Tx | PrismaClient, payment: { id: string; reservationId: string }, now: Date): Promise<boolean> {
    const reservation = await db.reservation.findUniqueOrThrow({ where: { id: payment.reservationId } });
    const otherPaid = await db.payment.count({
      where: {
        reservationId: payment.reservationId,
        id: { not: payment.id },
        status: { in: [PaymentAttemptStatus.SUCCEEDED, PaymentAttemptStatus.PARTIALLY_REFUNDED, PaymentAttemptStatus.REFUNDED] },
      },
    });
    if (otherPaid > 0) return true;
    if (reservation.status === ReservationStatus.CONFIRMED) return false;
    return reservation.status !== ReservationStatus.PENDING || holdLapsed(reservation, now);
  }

  /** Before the transaction: refund a late payment at Stripe (idempotently), so the transaction can record it. */
  private async prepareLatePayment(event: Stripe.Event): Promise<LatePaymentRefund | null> {
    const session = event.data.object as Stripe.Checkout.Session;
    if (session.payment_status !== 'paid') return null;
    const paymentId = session.metadata?.payment_id;
    const payment =
      (paymentId && /^[0-9a-f-]{36}$/i.test(paymentId) ? await this.prisma.payment.findUnique({ where: { id: paymentId } }) : null) ??
      (await this.prisma.payment.findUnique({ where: { checkoutSessionId: session.id } }));
    const intentId = idOf(session.payment_intent);
    if (!payment || isPaid(payment.status) || !intentId) return null;
    if (!(await this.latePaymentMustBeRefunded(this.prisma, payment, new Date()))) return null;
    const refund = await this.stripe.refunds.create(
      {
        payment_intent: intentId,
        reason: 'requested_by_customer',
        // the policy travels with the refund: its own events may be processed before this one
        metadata: { payment_id: payment.id, reservation_id: payment.reservationId, policy: 'HOLD_LAPSED' },
      },
      { idempotencyKey: `late-payment-refund:${payment.id}` },
    );
    return { refund };
  }

  private async expireAtStripe(sessionId: string): Promise<void> {
    try {
      const session = await this.stripe.checkout.sessions.retrieve(sessionId);
      if (session.status === 'open') await this.stripe.checkout.sessions.expire(sessionId);
    } catch {
      // best effort: it expires by itself within 30 minutes, and a payment on it would be refunded
    }
  }

  private async sessionAsyncFailed(tx: Tx, session: Stripe.Checkout.Session): Promise<HandlerResult> {
    const payment = await this.settlement.lockPayment(tx, {
      metadata: session.metadata,
      sessionId: session.id,
      paymentIntentId: idOf(session.payment_intent),
    });
    if (!payment) return ignored;
    await this.settlement.fail(tx, payment);
    return { result: 'PROCESSED', paymentId: payment.id, reservationId: payment.reservationId };
  }

  private async sessionExpired(tx: Tx, session: Stripe.Checkout.Session): Promise<HandlerResult> {
    const payment = await this.settlement.lockPayment(tx, { metadata: session.metadata, sessionId: session.id });
    if (!payment) return ignored;
    await this.settlement.expire(tx, payment);
    return { result: 'PROCESSED', paymentId: payment.id, reservationId: payment.reservationId };
  }

  private async paymentFailed(tx: Tx, intent: Stripe.PaymentIntent): Promise<HandlerResult> {
    const payment = await this.settlement.lockPayment(tx, { metadata: intent.metadata, paymentIntentId: intent.id });
    if (!payment) return ignored;
    await this.settlement.recordFailure(tx, payment, failureOf(intent));
    return { result: 'PROCESSED', paymentId: payment.id, reservationId: payment.reservationId };
  }

  private async refundChanged(tx: Tx, refunds: Stripe.Refund[]): Promise<HandlerResult> {
    let linked: { paymentId: string; reservationId: string } | null = null;
    for (const refund of refunds) linked = (await this.refunds.syncFromStripe(tx, refund)) ?? linked;
    if (!linked) return ignored;
    return { result: 'PROCESSED', ...linked };
  }

  private async disputeCreated(tx: Tx, dispute: Stripe.Dispute): Promise<HandlerResult> {
    const payment = await this.settlement.lockPayment(tx, { paymentIntentId: idOf(dispute.payment_intent) });
    if (!payment) return ignored;
    await this.settlement.flagDispute(tx, payment);
    return { result: 'PROCESSED', paymentId: payment.id, reservationId: payment.reservationId };
  }
}
