/**
 * The edge where Stripe's payloads become neutral facts (src/settlement/facts.ts).
 * Events are decoded with a `switch` on the SDK's discriminated `Stripe.Event`
 * union, so each branch sees its object's own type; reconciliation reads and
 * synchronous answers go through the same functions. Nothing past this file
 * reads a Stripe object.
 */
import type Stripe from 'stripe';
import type { AttemptRef, Fact, RefundSnapshot } from '../settlement/facts';

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);

function refOf(metadata: Stripe.Metadata | null | undefined, ids: { sessionId?: string | null; paymentIntentId?: string | null }): AttemptRef {
  const ref: AttemptRef = {};
  if (metadata?.payment_id) ref.paymentId = metadata.payment_id;
  if (metadata?.reservation_id) ref.reservationId = metadata.reservation_id;
  if (ids.sessionId) ref.sessionId = ids.sessionId;
  if (ids.paymentIntentId) ref.paymentIntentId = ids.paymentIntentId;
  return ref;
}

/** SPEC's failure codes: `card_declined`, or the specific decline reason when Stripe gives one (`insufficient_funds`). */
export function failureOf(error: Stripe.PaymentIntent.LastPaymentError | null | undefined): { code: string | null; message: string | null } {
  if (!error) return { code: null, message: null };
  const code = error.decline_code && error.decline_code !== 'generic_decline' ? error.decline_code : (error.code ?? null);
  return { code, message: error.message ?? null };
}

const REFUND_STATUS: Record<string, RefundSnapshot['status']> = {
  pending: 'PENDING',
  requires_action: 'PENDING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  canceled: 'CANCELED',
};

export function refundSnapshot(refund: Stripe.Refund): RefundSnapshot {
  const metadata = refund.metadata ?? {};
  return {
    stripeRefundId: refund.id,
    amount: refund.amount,
    currency: refund.currency.toUpperCase(),
    status: REFUND_STATUS[refund.status ?? 'pending'] ?? 'PENDING',
    paymentIntentId: idOf(refund.payment_intent),
    chargeId: idOf(refund.charge),
    ourRefundId: metadata.refund_id || undefined,
    paymentId: metadata.payment_id || undefined,
    policy: metadata.policy || undefined,
    reason: refund.reason ?? null,
    failureReason: refund.failure_reason ?? null,
    createdAt: new Date(refund.created * 1000),
  };
}

/** A refund as a fact: pending, settled or failed (canceled counts as failed: no money moved). */
export function refundFact(refund: Stripe.Refund): Fact {
  const snapshot = refundSnapshot(refund);
  if (snapshot.status === 'SUCCEEDED') return { kind: 'RefundSettled', refund: snapshot };
  if (snapshot.status === 'PENDING') return { kind: 'RefundPending', refund: snapshot };
  return { kind: 'RefundFailed', refund: snapshot };
}

function completedSessionFact(session: Stripe.Checkout.Session): Fact {
  const paymentIntentId = idOf(session.payment_intent);
  const ref = refOf(session.metadata, { sessionId: session.id, paymentIntentId });
  if (session.payment_status === 'paid' || session.payment_status === 'no_payment_required') {
    return { kind: 'SessionPaid', ref, paymentIntentId };
  }
  return { kind: 'SessionAwaitingPayment', ref, paymentIntentId };
}

/** The facts a delivered (or replayed) event carries; none for types this service does not act on. */
export function factsFromEvent(event: Stripe.Event): Fact[] {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return [completedSessionFact(event.data.object)];
    case 'checkout.session.async_payment_failed': {
      const session = event.data.object;
      const ref = refOf(session.metadata, { sessionId: session.id, paymentIntentId: idOf(session.payment_intent) });
      return [{ kind: 'PaymentFailed', ref, final: true, code: null, message: null }];
    }
    case 'checkout.session.expired': {
      const session = event.data.object;
      return [{ kind: 'SessionExpired', ref: refOf(session.metadata, { sessionId: session.id, paymentIntentId: idOf(session.payment_intent) }) }];
    }
    case 'payment_intent.payment_failed': {
      const intent = event.data.object;
      return [{ kind: 'PaymentFailed', ref: refOf(intent.metadata, { paymentIntentId: intent.id }), final: false, ...failureOf(intent.last_payment_error) }];
    }
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
      return [refundFact(event.data.object)];
    case 'charge.refunded': {
      const charge = event.data.object;
      return [
        {
          kind: 'ChargeRefunded',
          ref: refOf(charge.metadata, { paymentIntentId: idOf(charge.payment_intent) }),
          chargeId: charge.id,
          amountRefunded: charge.amount_refunded,
          refunds: charge.refunds?.data.length ? charge.refunds.data.map(refundSnapshot) : null,
        },
      ];
    }
    case 'charge.dispute.created': {
      const dispute = event.data.object;
      return [{ kind: 'DisputeOpened', ref: refOf(dispute.metadata, { paymentIntentId: idOf(dispute.payment_intent) }), disputeId: dispute.id, amount: dispute.amount }];
    }
    default:
      return [];
  }
}

/**
 * What a session read from Stripe says (reconciliation), with its PaymentIntent
 * expanded: paid, expired, failed (a delayed method that failed leaves the
 * session complete, unpaid, its PaymentIntent wanting a new method), or still
 * waiting. An open session says nothing new.
 */
export function factsFromSession(session: Stripe.Checkout.Session): Fact[] {
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  const paymentIntentId = idOf(session.payment_intent);
  const ref = refOf(session.metadata, { sessionId: session.id, paymentIntentId });
  if (session.status === 'expired') return [{ kind: 'SessionExpired', ref }];
  if (session.status !== 'complete') return [];
  if (session.payment_status === 'unpaid' && intent?.status === 'requires_payment_method') {
    return [{ kind: 'PaymentFailed', ref, final: true, ...failureOf(intent.last_payment_error) }];
  }
  return [completedSessionFact(session)];
}
