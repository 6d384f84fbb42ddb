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
export type CustomerCreateParams = Stripe.CustomerCreateParams;
export type CustomerRetrieveParams = Stripe.CustomerRetrieveParams;
export type CustomerUpdateParams = Stripe.CustomerUpdateParams;
export type CustomerDeleteParams = Stripe.CustomerDeleteParams;
export type CustomerListParams = Stripe.CustomerListParams;
export type CustomerSearchParams = Stripe.CustomerSearchParams;
export type CustomerListPaymentMethodsParams = Stripe.CustomerListPaymentMethodsParams;
export type PaymentMethodRetrieveParams = Stripe.PaymentMethodRetrieveParams;
export type PaymentMethodListParams = Stripe.PaymentMethodListParams;
export type PaymentMethodAttachParams = Stripe.PaymentMethodAttachParams;
export type PaymentMethodDetachParams = Stripe.PaymentMethodDetachParams;
export type ProductCreateParams = Stripe.ProductCreateParams;
export type ProductRetrieveParams = Stripe.ProductRetrieveParams;
export type ProductListParams = Stripe.ProductListParams;
export type PriceCreateParams = Stripe.PriceCreateParams;
export type PriceRetrieveParams = Stripe.PriceRetrieveParams;
export type PriceListParams = Stripe.PriceListParams;
export type SubscriptionRetrieveParams = Stripe.SubscriptionRetrieveParams;
export type SubscriptionListParams = Stripe.SubscriptionListParams;
export type SubscriptionUpdateParams = Stripe.SubscriptionUpdateParams;
export type SubscriptionCancelParams = Stripe.SubscriptionCancelParams;
export type InvoiceRetrieveParams = Stripe.InvoiceRetrieveParams;
export type InvoiceListParams = Stripe.InvoiceListParams;
export type InvoicePayParams = Stripe.InvoicePayParams;
export type InvoiceListLineItemsParams = Stripe.InvoiceListLineItemsParams;
export type InvoicePaymentRetrieveParams = Stripe.InvoicePaymentRetrieveParams;
export type InvoicePaymentListParams = Stripe.InvoicePaymentListParams;
export type TestClockCreateParams = Stripe.TestHelpers.TestClockCreateParams;
export type TestClockRetrieveParams = Stripe.TestHelpers.TestClockRetrieveParams;
export type TestClockListParams = Stripe.TestHelpers.TestClockListParams;
export type TestClockDeleteParams = Stripe.TestHelpers.TestClockDeleteParams;
export type TestClockAdvanceParams = Stripe.TestHelpers.TestClockAdvanceParams;

// ---- objects the emulator returns
export type CheckoutSessionObject = Stripe.Checkout.Session;
export type PaymentIntentObject = Stripe.PaymentIntent;
export type ChargeObject = Stripe.Charge;
export type RefundObject = Stripe.Refund;
export type DisputeObject = Stripe.Dispute;
export type BalanceTransactionObject = Stripe.BalanceTransaction;
export type LineItemObject = Stripe.LineItem;
export type CustomerObject = Stripe.Customer;
export type DeletedCustomerObject = Stripe.DeletedCustomer;
export type PaymentMethodObject = Stripe.PaymentMethod;
export type ProductObject = Stripe.Product;
export type PriceObject = Stripe.Price;
export type SubscriptionObject = Stripe.Subscription;
export type SubscriptionItemObject = Stripe.SubscriptionItem;
export type InvoiceObject = Stripe.Invoice;
export type InvoiceLineItemObject = Stripe.InvoiceLineItem;
export type InvoicePaymentObject = Stripe.InvoicePayment;
export type TestClockObject = Stripe.TestHelpers.TestClock;
export type DeletedTestClockObject = Stripe.TestHelpers.DeletedTestClock;

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
export type CustomerCreatedEvent = Stripe.CustomerCreatedEvent;
export type CustomerUpdatedEvent = Stripe.CustomerUpdatedEvent;
export type CustomerDeletedEvent = Stripe.CustomerDeletedEvent;
export type PaymentMethodAttachedEvent = Stripe.PaymentMethodAttachedEvent;
export type PaymentMethodDetachedEvent = Stripe.PaymentMethodDetachedEvent;
export type ProductCreatedEvent = Stripe.ProductCreatedEvent;
export type PriceCreatedEvent = Stripe.PriceCreatedEvent;
export type CustomerSubscriptionCreatedEvent = Stripe.CustomerSubscriptionCreatedEvent;
export type CustomerSubscriptionUpdatedEvent = Stripe.CustomerSubscriptionUpdatedEvent;
export type CustomerSubscriptionDeletedEvent = Stripe.CustomerSubscriptionDeletedEvent;
export type InvoiceCreatedEvent = Stripe.InvoiceCreatedEvent;
export type InvoiceFinalizedEvent = Stripe.InvoiceFinalizedEvent;
export type InvoicePaidEvent = Stripe.InvoicePaidEvent;
export type InvoicePaymentSucceededEvent = Stripe.InvoicePaymentSucceededEvent;
export type InvoicePaymentFailedEvent = Stripe.InvoicePaymentFailedEvent;
export type InvoiceMarkedUncollectibleEvent = Stripe.InvoiceMarkedUncollectibleEvent;
export type InvoicePaymentPaidEvent = Stripe.InvoicePaymentPaidEvent;
export type TestHelpersTestClockCreatedEvent = Stripe.TestHelpersTestClockCreatedEvent;
export type TestHelpersTestClockAdvancingEvent = Stripe.TestHelpersTestClockAdvancingEvent;
export type TestHelpersTestClockReadyEvent = Stripe.TestHelpersTestClockReadyEvent;
export type TestHelpersTestClockDeletedEvent = Stripe.TestHelpersTestClockDeletedEvent;
