/**
 * The `stripe` package's own types that `npm run emulator:schemas` turns into
 * JSON Schemas: the parameters of every endpoint the emulator serves (checked at
 * run time) and the objects and events it returns (checked by the conformance
 * test). One alias per schema; the alias name is the schema's name.
 */
import type Stripe from 'stripe';

// ---- parameters, by endpoint (see PARAMS in src/emulator/params.ts)
export type CheckoutSessionCreateParams = Stripe.Checkout.SessionCreateParams;
export type CheckoutSessionListParams = Stripe.Checkout.SessionListParams;
export type CheckoutSessionRetrieveParams = Stripe.Checkout.SessionRetrieveParams;
export type CheckoutSessionExpireParams = Stripe.Checkout.SessionExpireParams;
export type CheckoutSessionListLineItemsParams = Stripe.Checkout.SessionListLineItemsParams;
export type PaymentIntentRetrieveParams = Stripe.PaymentIntentRetrieveParams;
export type PaymentIntentListParams = Stripe.PaymentIntentListParams;
export type ChargeRetrieveParams = Stripe.ChargeRetrieveParams;
export type ChargeListParams = Stripe.ChargeListParams;
export type RefundCreateParams = Stripe.RefundCreateParams;
export type RefundRetrieveParams = Stripe.RefundRetrieveParams;
export type RefundListParams = Stripe.RefundListParams;
export type DisputeRetrieveParams = Stripe.DisputeRetrieveParams;
export type DisputeListParams = Stripe.DisputeListParams;
export type EventRetrieveParams = Stripe.EventRetrieveParams;
export type EventListParams = Stripe.EventListParams;

// ---- objects the emulator returns
export type CheckoutSessionObject = Stripe.Checkout.Session;
export type PaymentIntentObject = Stripe.PaymentIntent;
export type ChargeObject = Stripe.Charge;
export type RefundObject = Stripe.Refund;
export type DisputeObject = Stripe.Dispute;
export type BalanceTransactionObject = Stripe.BalanceTransaction;
export type LineItemObject = Stripe.LineItem;

// ---- events the emulator emits
export type PaymentIntentCreatedEvent = Stripe.PaymentIntentCreatedEvent;
export type PaymentIntentRequiresActionEvent = Stripe.PaymentIntentRequiresActionEvent;
export type PaymentIntentProcessingEvent = Stripe.PaymentIntentProcessingEvent;
export type PaymentIntentSucceededEvent = Stripe.PaymentIntentSucceededEvent;
export type PaymentIntentPaymentFailedEvent = Stripe.PaymentIntentPaymentFailedEvent;
export type PaymentIntentCanceledEvent = Stripe.PaymentIntentCanceledEvent;
export type ChargePendingEvent = Stripe.ChargePendingEvent;
export type ChargeSucceededEvent = Stripe.ChargeSucceededEvent;
export type ChargeFailedEvent = Stripe.ChargeFailedEvent;
export type ChargeUpdatedEvent = Stripe.ChargeUpdatedEvent;
export type ChargeRefundedEvent = Stripe.ChargeRefundedEvent;
export type ChargeRefundUpdatedEvent = Stripe.ChargeRefundUpdatedEvent;
export type ChargeDisputeCreatedEvent = Stripe.ChargeDisputeCreatedEvent;
export type ChargeDisputeFundsWithdrawnEvent = Stripe.ChargeDisputeFundsWithdrawnEvent;
export type CheckoutSessionCompletedEvent = Stripe.CheckoutSessionCompletedEvent;
export type CheckoutSessionExpiredEvent = Stripe.CheckoutSessionExpiredEvent;
export type CheckoutSessionAsyncPaymentSucceededEvent = Stripe.CheckoutSessionAsyncPaymentSucceededEvent;
export type CheckoutSessionAsyncPaymentFailedEvent = Stripe.CheckoutSessionAsyncPaymentFailedEvent;
export type RefundCreatedEvent = Stripe.RefundCreatedEvent;
export type RefundUpdatedEvent = Stripe.RefundUpdatedEvent;
export type RefundFailedEvent = Stripe.RefundFailedEvent;
