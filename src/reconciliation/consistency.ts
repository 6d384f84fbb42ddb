/**
 * Our record against Stripe's, for one checkout attempt: each difference, named,
 * with the facts that would repair it when there are some. Pure: the view is
 * read at the edge (src/stripe/stripe-view.ts); `npm run verify`, the admin
 * `consistencyReport` query and the background reconciliation all use this one
 * comparison. The invariants it checks:
 *  - money refunded at Stripe = refunded in our rows ≤ the amount paid;
 *  - an attempt is paid here exactly when its PaymentIntent succeeded at Stripe;
 *  - every refund at Stripe is one of our rows, in the same state;
 *  - the booking follows the money (booking-rules.ts).
 */
import type { Payment } from '../db';
import { type Aggregate, brokenInvariants } from '../lifecycle/booking-rules';
import { refundPhase } from '../lifecycle/transitions';
import { isPaid } from '../payments/payment-rules';
import type { Fact, RefundSnapshot } from '../settlement/facts';

export interface AttemptView {
  session: { status: string; facts: Fact[] } | 'missing' | null;
  paymentIntent: { id: string; status: string; amountRefunded: number } | 'missing' | null;
  refunds: RefundSnapshot[];
}

export type DifferenceKind =
  | 'ATTEMPT_STATUS'
  | 'OBJECT_MISSING'
  | 'REFUND_MISSING_HERE'
  | 'REFUND_MISSING_AT_STRIPE'
  | 'REFUND_STATUS'
  | 'REFUNDED_AMOUNT'
  | 'BOOKING';

export interface Difference {
  reservationId: string;
  paymentId: string;
  kind: DifferenceKind;
  ours: string;
  stripe: string;
  /** facts that bring our record in step, when our side is the one behind */
  repair: Fact[];
}

const SNAPSHOT_PHASE: Record<RefundSnapshot['status'], string> = { PENDING: 'PENDING', SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED', CANCELED: 'CANCELED' };
const refundFactOf = (refund: RefundSnapshot): Fact =>
  refund.status === 'SUCCEEDED'
    ? { kind: 'RefundSettled', refund }
    : refund.status === 'PENDING'
      ? { kind: 'RefundPending', refund }
      : { kind: 'RefundFailed', refund };

export function compareAttempt(aggregate: Aggregate, attempt: Payment, view: AttemptView): Difference[] {
  const differences: Difference[] = [];
  const diff = (kind: DifferenceKind, ours: string, stripe: string, repair: Fact[] = []) =>
    differences.push({ reservationId: attempt.reservationId, paymentId: attempt.id, kind, ours, stripe, repair });
  const paidHere = isPaid(attempt.status);

  if (view.session === 'missing' || view.paymentIntent === 'missing') {
    const what = view.session === 'missing' ? `session ${attempt.checkoutSessionId}` : `PaymentIntent ${attempt.paymentIntentId}`;
    diff(
      'OBJECT_MISSING',
      `attempt ${attempt.status}`,
      `${what} does not exist`,
      attempt.status === 'PENDING' ? [{ kind: 'SessionVanished', ref: { paymentId: attempt.id, sessionId: attempt.checkoutSessionId ?? undefined } }] : [],
    );
    return differences;
  }

  const intentSucceeded = view.paymentIntent?.status === 'succeeded';
  if (intentSucceeded && !paidHere) {
    diff('ATTEMPT_STATUS', `attempt ${attempt.status}`, 'PaymentIntent succeeded', view.session ? view.session.facts : []);
  } else if (paidHere && !intentSucceeded) {
    diff('ATTEMPT_STATUS', `attempt ${attempt.status}`, `PaymentIntent ${view.paymentIntent ? view.paymentIntent.status : 'absent'}`);
  } else if (attempt.status === 'PENDING' && view.session && view.session.status !== 'open') {
    diff('ATTEMPT_STATUS', 'attempt PENDING', `session ${view.session.status}`, view.session.facts);
  }

  const ours = aggregate.refunds.filter((r) => r.paymentId === attempt.id);
  for (const atStripe of view.refunds) {
    const row = ours.find((r) => r.stripeRefundId === atStripe.stripeRefundId);
    if (!row) {
      diff('REFUND_MISSING_HERE', 'no refund row', `refund ${atStripe.stripeRefundId} ${atStripe.status} ${atStripe.amount}`, [refundFactOf(atStripe)]);
    } else if (refundPhase(row) !== SNAPSHOT_PHASE[atStripe.status] || row.amount !== atStripe.amount) {
      diff('REFUND_STATUS', `refund ${row.id} ${refundPhase(row)} ${row.amount}`, `refund ${atStripe.stripeRefundId} ${atStripe.status} ${atStripe.amount}`, [
        refundFactOf(atStripe),
      ]);
    }
  }
  for (const row of ours) {
    if (row.stripeRefundId && !view.refunds.some((r) => r.stripeRefundId === row.stripeRefundId)) {
      diff('REFUND_MISSING_AT_STRIPE', `refund ${row.id} ${refundPhase(row)} ${row.amount}`, `no refund ${row.stripeRefundId}`);
    }
  }
  if (view.paymentIntent) {
    const acceptedHere = ours
      .filter((r) => r.stripeRefundId && (r.status === 'PENDING' || r.status === 'SUCCEEDED'))
      .reduce((sum, r) => sum + r.amount, 0);
    if (acceptedHere !== view.paymentIntent.amountRefunded && !differences.some((d) => d.kind.startsWith('REFUND'))) {
      diff('REFUNDED_AMOUNT', `${acceptedHere} refunded`, `${view.paymentIntent.amountRefunded} refunded`);
    }
  }
  return differences;
}

/** The booking's own invariants, as differences (nothing at Stripe repairs these). */
export function bookingDifferences(aggregate: Aggregate): Difference[] {
  return brokenInvariants(aggregate).map((broken) => ({
    reservationId: aggregate.reservation.id,
    paymentId: aggregate.attempts[0]?.id ?? '',
    kind: 'BOOKING' as const,
    ours: `reservation ${aggregate.reservation.status}`,
    stripe: broken,
    repair: [],
  }));
}
