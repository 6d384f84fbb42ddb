/**
 * What Stripe tells us, as neutral facts. Webhook events, reconciliation reads
 * and synchronous API answers are decoded into these at the edge
 * (src/stripe/stripe-facts.ts); everything past the edge knows nothing of
 * Stripe's payloads. (The model is Medusa's Stripe provider, whose
 * getWebhookActionAndData turns events into provider-neutral actions.)
 */

/** How to find the checkout attempt a Stripe object belongs to: our metadata first, then Stripe's ids. */
export interface AttemptRef {
  /** metadata payment_id (ours, trusted only when it matches reservation_id and the session) */
  paymentId?: string;
  /** metadata reservation_id */
  reservationId?: string;
  sessionId?: string;
  paymentIntentId?: string;
}

export interface RefundSnapshot {
  stripeRefundId: string;
  amount: number;
  currency: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';
  paymentIntentId: string | null;
  chargeId: string | null;
  /** metadata refund_id: the row that asked for it */
  ourRefundId?: string;
  /** metadata payment_id */
  paymentId?: string;
  /** metadata policy: only our own policy names are taken */
  policy?: string;
  reason: string | null;
  failureReason: string | null;
  createdAt: Date;
}

export type Fact =
  /** the session was paid: the attempt SUCCEEDED */
  | { kind: 'SessionPaid'; ref: AttemptRef; paymentIntentId: string | null }
  /** completed with a delayed method: Stripe settles it later (async_payment_succeeded / _failed) */
  | { kind: 'SessionAwaitingPayment'; ref: AttemptRef; paymentIntentId: string | null }
  /** the session expired unpaid */
  | { kind: 'SessionExpired'; ref: AttemptRef }
  /** Stripe no longer knows the session or PaymentIntent we hold (another account or mode, a reset emulator) */
  | { kind: 'SessionVanished'; ref: AttemptRef }
  /**
   * A payment failed: `final` ends the attempt (a delayed payment failed); a
   * declined card leaves the session open for another card and is only recorded.
   */
  | { kind: 'PaymentFailed'; ref: AttemptRef; final: boolean; code: string | null; message: string | null }
  | { kind: 'RefundPending'; refund: RefundSnapshot }
  | { kind: 'RefundSettled'; refund: RefundSnapshot }
  | { kind: 'RefundFailed'; refund: RefundSnapshot }
  /**
   * A charge's refunded total. Settled by the refunds it lists; when it lists
   * none (Stripe no longer expands them in events) and the total differs from
   * ours, the refunds are read from Stripe before the fact is applied.
   */
  | { kind: 'ChargeRefunded'; ref: AttemptRef; chargeId: string; amountRefunded: number; refunds: RefundSnapshot[] | null }
  | { kind: 'DisputeOpened'; ref: AttemptRef; disputeId: string; amount: number };

export type FactKind = Fact['kind'];
