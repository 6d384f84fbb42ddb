/**
 * What Stripe holds for one checkout attempt, read and decoded at the edge for
 * the consistency check: the session, its PaymentIntent and charge, and every
 * refund. Objects Stripe no longer knows are `missing`; a read that fails
 * otherwise throws (the check skips that attempt and says so).
 */
import type Stripe from 'stripe';
import type { AttemptView } from '../reconciliation/consistency';
import { factsFromSession, refundSnapshot } from './stripe-facts';
import { classifyStripeError } from './stripe-outcome';

async function orMissing<T>(read: () => Promise<T>): Promise<T | 'missing'> {
  try {
    return await read();
  } catch (err) {
    const outcome = classifyStripeError(err);
    if (outcome.kind === 'refused' && outcome.missing) return 'missing';
    throw err;
  }
}

/** The charge's refunded total: from the expanded charge, or read when Stripe sent only its id. */
async function amountRefunded(stripe: Stripe, charge: string | Stripe.Charge | null): Promise<number> {
  if (!charge) return 0;
  if (typeof charge === 'object') return charge.amount_refunded;
  return (await stripe.charges.retrieve(charge)).amount_refunded;
}

export async function readAttemptView(
  stripe: Stripe,
  attempt: { checkoutSessionId: string | null; paymentIntentId: string | null },
): Promise<AttemptView> {
  const view: AttemptView = { session: null, paymentIntent: null, refunds: [] };
  if (attempt.checkoutSessionId) {
    const sessionId = attempt.checkoutSessionId;
    const session = await orMissing(() => stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent.latest_charge'] }));
    if (session === 'missing') view.session = 'missing';
    else {
      view.session = { status: session.status ?? 'open', facts: factsFromSession(session) };
      const intent = session.payment_intent;
      if (intent && typeof intent === 'object') {
        view.paymentIntent = { id: intent.id, status: intent.status, amountRefunded: await amountRefunded(stripe, intent.latest_charge) };
      }
    }
  }
  const paymentIntentId = attempt.paymentIntentId ?? (view.paymentIntent && view.paymentIntent !== 'missing' ? view.paymentIntent.id : null);
  if (paymentIntentId && !view.paymentIntent) {
    const intent = await orMissing(() => stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge'] }));
    if (intent === 'missing') view.paymentIntent = 'missing';
    else view.paymentIntent = { id: intent.id, status: intent.status, amountRefunded: await amountRefunded(stripe, intent.latest_charge) };
  }
  if (paymentIntentId && view.paymentIntent !== 'missing') {
    const refunds = await stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 }).autoPagingToArray({ limit: 1000 });
    view.refunds = refunds.map(refundSnapshot);
  }
  return view;
}
