/**
 * Complete Stripe objects, built as the `stripe` package's own types: every
 * field the SDK declares required is written here, so `tsc` fails when an SDK
 * upgrade adds one. Values are those of a Checkout payment in test mode; what
 * the emulator does not model (tax, shipping, Connect...) is null or empty, as
 * Stripe answers for a session that does not use it. Billing objects (customers,
 * prices, subscriptions, invoices, test clocks) are in billing-objects.ts.
 */
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

export const checkoutSessionId = () => `cs_test_${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')}`;

/** The card or bank account a payment used, as the page collected it. */
export type PaymentMethodUsed =
  | { type: 'card'; brand: string; last4: string; expMonth: number; expYear: number; threeDSecure: boolean }
  | { type: 'sepa_debit'; country: string; bankCode: string; last4: string };

export function lineItem(input: { currency: string; unitAmount: number; quantity: number; description: string; price: Stripe.Price }): Stripe.LineItem {
  const total = input.unitAmount * input.quantity;
  return {
    id: newId('li'),
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: total,
    amount_tax: 0,
    amount_total: total,
    currency: input.currency,
    description: input.description,
    metadata: {},
    price: input.price,
    quantity: input.quantity,
  };
}

export function checkoutSession(input: {
  id: string;
  created: number;
  expiresAt: number;
  currency: string;
  amount: number;
  url: string;
  successUrl: string | null;
  cancelUrl: string | null;
  clientReferenceId: string | null;
  customerEmail: string | null;
  metadata: Stripe.Metadata;
  paymentMethodTypes: string[];
  allowedPaymentMethodTypes: string[] | null;
  locale: Stripe.Checkout.Session.Locale | null;
  mode: 'payment' | 'subscription';
  customer: string | null;
  customerCreation: Stripe.Checkout.Session.CustomerCreation | null;
}): Stripe.Checkout.Session {
  return {
    id: input.id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: input.allowedPaymentMethodTypes,
    amount_subtotal: input.amount,
    amount_total: input.amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: input.created,
    currency: input.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: input.customer,
    customer_account: null,
    customer_creation: input.customerCreation,
    customer_details: null,
    customer_email: input.customerEmail,
    discounts: [],
    expires_at: input.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: input.locale,
    managed_payments: null,
    metadata: input.metadata,
    mode: input.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: input.mode === 'subscription' ? 'always' : 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: input.paymentMethodTypes,
    payment_status: 'unpaid',
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: input.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: input.url,
    wallet_options: null,
  };
}

export function customerDetails(email: string | null): Stripe.Checkout.Session.CustomerDetails {
  return {
    address: null,
    business_name: null,
    email,
    individual_name: null,
    name: null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
}

export function paymentIntent(input: {
  created: number;
  amount: number;
  currency: string;
  metadata: Stripe.Metadata;
  paymentMethodTypes: string[];
  receiptEmail: string | null;
  customer?: string | null;
  /** `Subscription creation` / `Subscription update` for an invoice's PaymentIntent */
  description?: string | null;
  setupFutureUsage?: Stripe.PaymentIntent.SetupFutureUsage | null;
  paymentMethod?: string | null;
}): Stripe.PaymentIntent {
  const id = newId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: input.amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
    confirmation_method: 'automatic',
    created: input.created,
    currency: input.currency,
    customer: input.customer ?? null,
    customer_account: null,
    description: input.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: input.paymentMethod ?? null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: input.paymentMethodTypes,
    payment_record: null,
    processing: null,
    receipt_email: input.receiptEmail,
    review: null,
    setup_future_usage: input.setupFutureUsage ?? null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_group: null,
  };
}

function paymentMethodDetails(method: PaymentMethodUsed, amount: number, status: Stripe.Charge.Status): Stripe.Charge.PaymentMethodDetails {
  if (method.type === 'sepa_debit') {
    return {
      type: 'sepa_debit',
      sepa_debit: {
        bank_code: method.bankCode,
        branch_code: null,
        country: method.country,
        fingerprint: randomBytes(8).toString('hex'),
        last4: method.last4,
        mandate: newId('mandate'),
      },
    };
  }
  return {
    type: 'card',
    card: {
      amount_authorized: status === 'succeeded' ? amount : null,
      authorization_code: status === 'succeeded' ? String(100000 + (amount % 900000)) : null,
      brand: method.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      electronic_commerce_indicator: method.threeDSecure ? '05' : null,
      exp_month: method.expMonth,
      exp_year: method.expYear,
      funding: 'credit',
      installments: null,
      last4: method.last4,
      mandate: null,
      network: method.brand,
      network_transaction_id: status === 'succeeded' ? randomBytes(8).toString('hex') : null,
      regulated_status: 'unregulated',
      three_d_secure: method.threeDSecure
        ? {
            authentication_flow: 'challenge',
            electronic_commerce_indicator: '05',
            exemption_indicator: null,
            result: status === 'succeeded' ? 'authenticated' : 'failed',
            result_reason: null,
            transaction_id: randomBytes(16).toString('hex'),
            version: '2.2.0',
          }
        : null,
      transaction_link_id: null,
      wallet: null,
    },
  };
}

/** Stripe's outcome for a charge: authorized, or declined by the issuer with its reason. */
function outcome(status: Stripe.Charge.Status, declineCode: string | null): Stripe.Charge.Outcome {
  if (status === 'failed') {
    return {
      advice_code: declineCode === 'insufficient_funds' ? 'try_again_later' : 'do_not_try_again',
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'declined_by_network',
      reason: declineCode ?? 'generic_decline',
      risk_level: 'normal',
      seller_message: 'The bank did not return any further details with this decline.',
      type: 'issuer_declined',
    };
  }
  return {
    advice_code: null,
    network_advice_code: null,
    network_decline_code: null,
    network_status: status === 'pending' ? null : 'approved_by_network',
    reason: null,
    risk_level: 'normal',
    seller_message: status === 'pending' ? null : 'Payment complete.',
    type: status === 'pending' ? 'manual_review' : 'authorized',
  };
}

export function charge(input: {
  created: number;
  intent: Stripe.PaymentIntent;
  status: Stripe.Charge.Status;
  method: PaymentMethodUsed;
  paymentMethodId: string;
  email: string | null;
  failure: { code: string; message: string; declineCode: string | null } | null;
  receiptUrl: (chargeId: string) => string;
}): Stripe.Charge {
  const id = newId('ch');
  const { intent, status } = input;
  return {
    id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: status === 'succeeded' ? intent.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: input.email, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'EMULATOR',
    captured: status === 'succeeded',
    created: input.created,
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: input.failure?.code ?? null,
    failure_message: input.failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...intent.metadata },
    on_behalf_of: null,
    outcome: outcome(status, input.failure?.declineCode ?? null),
    paid: status === 'succeeded',
    payment_intent: intent.id,
    payment_method: input.paymentMethodId,
    payment_method_details: paymentMethodDetails(input.method, intent.amount, status),
    receipt_email: input.email,
    receipt_number: null,
    receipt_url: status === 'succeeded' ? input.receiptUrl(id) : null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status,
    transfer_data: null,
    transfer_group: null,
  };
}

/** Stripe's fee for a European card or SEPA payment in the emulator: 1.5 % + €0.25 (refunds and disputes have their own). */
export const processingFee = (amount: number) => Math.round(amount * 0.015) + 25;

export function balanceTransaction(input: {
  created: number;
  amount: number;
  fee: number;
  currency: string;
  type: 'charge' | 'payment' | 'refund' | 'payment_refund' | 'refund_failure' | 'adjustment';
  reportingCategory: string;
  source: string;
  description: string | null;
}): Stripe.BalanceTransaction {
  return {
    id: newId('txn'),
    object: 'balance_transaction',
    amount: input.amount,
    available_on: input.created + 2 * 86_400,
    balance_type: 'payments',
    created: input.created,
    currency: input.currency,
    description: input.description,
    exchange_rate: null,
    fee: input.fee,
    fee_details: input.fee
      ? [{ amount: input.fee, application: null, currency: input.currency, description: 'Stripe processing fees', type: 'stripe_fee' }]
      : [],
    net: input.amount - input.fee,
    reporting_category: input.reportingCategory,
    source: input.source,
    status: 'pending',
    type: input.type,
  };
}

export function refund(input: {
  created: number;
  amount: number;
  charge: Stripe.Charge;
  reason: Stripe.Refund.Reason | null;
  metadata: Stripe.Metadata;
  balanceTransaction: string;
}): Stripe.Refund {
  const method = input.charge.payment_method_details;
  return {
    id: newId('re'),
    object: 'refund',
    amount: input.amount,
    balance_transaction: input.balanceTransaction,
    charge: input.charge.id,
    created: input.created,
    currency: input.charge.currency,
    customer: null,
    customer_account: null,
    destination_details:
      method?.type === 'card'
        ? { type: 'card', card: { type: 'refund', reference_status: 'pending', reference_type: 'acquirer_reference_number' } }
        : { type: method?.type ?? 'card' },
    metadata: input.metadata,
    payment_intent: typeof input.charge.payment_intent === 'string' ? input.charge.payment_intent : (input.charge.payment_intent?.id ?? null),
    payment_method: input.charge.payment_method,
    reason: input.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

export function dispute(input: { created: number; charge: Stripe.Charge; reason: string }): Stripe.Dispute {
  const card = input.charge.payment_method_details?.card;
  return {
    id: newId('dp'),
    object: 'dispute',
    amount: input.charge.amount,
    balance_transactions: [],
    charge: input.charge.id,
    created: input.created,
    currency: input.charge.currency,
    enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: null,
      billing_address: null,
      cancellation_policy: null,
      cancellation_policy_disclosure: null,
      cancellation_rebuttal: null,
      customer_communication: null,
      customer_email_address: input.charge.billing_details.email,
      customer_name: null,
      customer_purchase_ip: null,
      customer_signature: null,
      duplicate_charge_documentation: null,
      duplicate_charge_explanation: null,
      duplicate_charge_id: null,
      enhanced_evidence: {},
      product_description: null,
      receipt: null,
      refund_policy: null,
      refund_policy_disclosure: null,
      refund_refusal_explanation: null,
      service_date: null,
      service_documentation: null,
      shipping_address: null,
      shipping_carrier: null,
      shipping_date: null,
      shipping_documentation: null,
      shipping_tracking_number: null,
      uncategorized_file: null,
      uncategorized_text: null,
    },
    evidence_details: {
      due_by: input.created + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: typeof input.charge.payment_intent === 'string' ? input.charge.payment_intent : null,
    ...(card ? { payment_method_details: { type: 'card', card: { brand: card.brand ?? 'visa', case_type: 'chargeback', network: card.network ?? 'visa', network_reason_code: '10.4' } } } : {}),
    reason: input.reason,
    status: 'needs_response',
  };
}
