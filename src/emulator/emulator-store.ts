/**
 * Stripe's rules for the objects this product uses, on the emulator's state:
 * Checkout Sessions, PaymentIntents, Charges, Refunds, Disputes, balance
 * transactions and Events (customers are in customers.ts, subscriptions and
 * invoices in billing.ts; they pay and publish through this store). Events follow Stripe's sequences (README.md,
 * "Events"); each carries a snapshot of its object, and only `*.updated` events
 * carry `previous_attributes`, naming what changed. Time comes from the
 * emulator's clock; what happens later (expiry, delayed settlement, refund
 * references or failures, disputes) is a clock-scheduled job.
 */
import Stripe from 'stripe';
import type { Billing } from './billing';
import type { ClockScheduler, JobHandlers } from './clock-scheduler';
import type { Customers } from './customers';
import { invalidParams, invalidRequest, resourceMissing } from './emulator-errors';
import type { ChargeExtras, EmulatorState } from './emulator-state';
import type { CardBehaviour } from './hosted-checkout';
import * as build from './stripe-objects';
import type { PaymentMethodUsed } from './stripe-objects';

/** The `stripe` package's pinned API version: what Stripe would stamp on events for this SDK. */
export const API_VERSION: string = Stripe.API_VERSION;

/** Stripe's minimum charge amount per currency, in the currency's smallest unit (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). */
export const MINIMUM_AMOUNTS: Record<string, number> = {
  eur: 50,
  usd: 50,
  gbp: 30,
  chf: 50,
  cad: 50,
  aud: 50,
  sek: 300,
  nok: 300,
  dkk: 250,
  pln: 200,
  jpy: 50,
};

const SYMBOLS: Record<string, string> = { eur: '€', usd: '$', gbp: '£', jpy: '¥' };
const ZERO_DECIMAL = new Set(['jpy']);

export function formatAmount(amount: number, currency: string): string {
  const value = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${SYMBOLS[currency] ?? ''}${value} ${currency}`;
}

export interface RequestInfo {
  id: string;
  idempotencyKey: string | null;
}

/** What a submission on the hosted page does (see hosted-checkout.ts for the test cards). */
export type PaymentOutcome =
  | { kind: 'succeed'; refundsFail?: boolean; disputes?: boolean }
  | { kind: 'decline'; code: string; declineCode?: string; message: string }
  | { kind: 'requires_action' }
  | { kind: 'delayed'; willSucceed: boolean };

export interface StoreOptions {
  /** delay before a delayed (SEPA) payment settles, in emulator-clock ms */
  asyncPaymentDelayMs: number;
  /** delay before a card refund's reference number is available (`refund.updated`) */
  refundReferenceDelayMs: number;
  /** delay before a refund of card 5126 fails */
  refundFailureDelayMs: number;
  /** delay before card 0259's charge is disputed */
  disputeDelayMs: number;
}

type SessionEventType =
  | 'checkout.session.completed'
  | 'checkout.session.expired'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed';
type IntentEventType =
  | 'payment_intent.created'
  | 'payment_intent.requires_action'
  | 'payment_intent.processing'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled';
type ChargeEventType = 'charge.pending' | 'charge.succeeded' | 'charge.failed' | 'charge.refunded';
type RefundEventType = 'refund.created' | 'refund.failed';
type DisputeEventType = 'charge.dispute.created' | 'charge.dispute.funds_withdrawn';

/**
 * A deep copy as it travels on the wire (JSON): what events carry and lists
 * return. (structuredClone would keep the SDK's Decimal values as objects.)
 */
export const snapshot = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const nowSeconds = (ms: number) => Math.floor(ms / 1000);

export class EmulatorStore {
  /** the time objects are stamped with while a test clock's work runs (its frozen time), else null: the emulator's clock */
  private objectTime: number | null = null;
  /** Customers and Billing, wired after construction (they use this store for payments and events) */
  private parts: { customers: Customers; billing: Billing } | undefined;

  constructor(
    readonly state: EmulatorState,
    private readonly scheduler: ClockScheduler,
    private readonly publicUrl: () => string,
    /** hands a new event to the webhook sender; returns how many endpoints will get it */
    private readonly onEvent: (event: Stripe.Event) => number,
    /** marks the state as changed (saved soon to the data directory) */
    readonly changed: () => void,
    private readonly options: StoreOptions,
  ) {}

  now(): number {
    return nowSeconds(this.scheduler.nowMs());
  }

  connect(parts: { customers: Customers; billing: Billing }): void {
    this.parts = parts;
  }

  private get billing(): Billing {
    if (!this.parts) throw new Error('the emulator store is not connected to Billing');
    return this.parts.billing;
  }

  private get customers(): Customers {
    if (!this.parts) throw new Error('the emulator store is not connected to Customers');
    return this.parts.customers;
  }

  /** The time new objects are stamped with: a test clock's time while its work runs, else the emulator's clock. */
  objectNow(): number {
    return this.objectTime ?? this.now();
  }

  /** Runs `work` with objects stamped at `time` (a test clock's frozen time, or a billing job's due time). */
  at<T>(time: number, work: () => T): T {
    const outer = this.objectTime;
    this.objectTime = time;
    try {
      return work();
    } finally {
      this.objectTime = outer;
    }
  }

  /** The job handlers for what this store schedules (the webhook sender adds `deliver`, test clocks `billing` and `advance_test_clock`). */
  jobHandlers(): Omit<JobHandlers, 'deliver' | 'billing' | 'advance_test_clock'> {
    return {
      expire_session: (job) => {
        const session = this.state.sessions[job.sessionId];
        if (session?.status === 'open') this.expireSession(session.id, null);
      },
      settle_delayed: (job) => this.settleDelayed(job.intentId, job.succeed),
      refund_reference: (job) => this.refundReferenceAvailable(job.refundId),
      fail_refund: (job) => this.failRefund(job.refundId),
      open_dispute: (job) => {
        if (this.state.charges[job.chargeId]) this.openDispute(job.chargeId, 'fraudulent');
      },
    };
  }

  // ---------------------------------------------------------------- events

  /** Records an event (its object already a snapshot) and hands it to the webhook sender. */
  publish(event: Stripe.Event): Stripe.Event {
    this.state.events.push(event);
    event.pending_webhooks = this.onEvent(event);
    this.changed();
    return event;
  }

  /** The fields every event has; `created` is the emulator's clock (also for objects on a test clock). */
  eventBase(request: RequestInfo | null) {
    return {
      id: build.newId('evt'),
      object: 'event' as const,
      api_version: API_VERSION,
      created: this.now(),
      livemode: false,
      pending_webhooks: 0,
      request: { id: request?.id ?? null, idempotency_key: request?.idempotencyKey ?? null },
    };
  }

  sessionEvent(type: SessionEventType, session: Stripe.Checkout.Session, request: RequestInfo | null = null) {
    return this.publish({ ...this.eventBase(request), type, data: { object: snapshot(session) } });
  }

  intentEvent(type: IntentEventType, intent: Stripe.PaymentIntent, request: RequestInfo | null = null) {
    return this.publish({ ...this.eventBase(request), type, data: { object: snapshot(intent) } });
  }

  chargeEvent(type: ChargeEventType, charge: Stripe.Charge, request: RequestInfo | null = null) {
    return this.publish({ ...this.eventBase(request), type, data: { object: snapshot(charge) } });
  }

  private chargeUpdated(charge: Stripe.Charge, previous: Partial<Stripe.Charge>) {
    return this.publish({ ...this.eventBase(null), type: 'charge.updated', data: { object: snapshot(charge), previous_attributes: previous } });
  }

  private refundEvent(type: RefundEventType, refund: Stripe.Refund, request: RequestInfo | null = null) {
    return this.publish({ ...this.eventBase(request), type, data: { object: snapshot(refund) } });
  }

  private refundUpdated(type: 'refund.updated' | 'charge.refund.updated', refund: Stripe.Refund, previous: Partial<Stripe.Refund>) {
    return this.publish({ ...this.eventBase(null), type, data: { object: snapshot(refund), previous_attributes: snapshot(previous) } });
  }

  private disputeEvent(type: DisputeEventType, dispute: Stripe.Dispute) {
    return this.publish({ ...this.eventBase(null), type, data: { object: snapshot(dispute) } });
  }

  // ---------------------------------------------------------------- checkout sessions

  /** POST /v1/checkout/sessions, parameters already checked against the SDK's type. */
  createSession(params: Stripe.Checkout.SessionCreateParams, request: RequestInfo): Stripe.Checkout.Session {
    const mode: 'payment' | 'subscription' | undefined = params.mode === 'payment' ? 'payment' : params.mode === 'subscription' ? 'subscription' : undefined;
    if (!mode) {
      throw invalidParams(
        params.mode ? `The Stripe emulator supports Checkout Sessions in modes "payment" and "subscription", not "${params.mode}".` : 'Missing required param: mode.',
        { param: 'mode', ...(params.mode ? {} : { code: 'parameter_missing' }) },
      );
    }
    if (params.ui_mode && params.ui_mode !== 'hosted_page') {
      throw invalidParams(`The Stripe emulator supports ui_mode "hosted_page" only, not "${params.ui_mode}".`, { param: 'ui_mode' });
    }
    if (!params.success_url) throw invalidParams('Missing required param: success_url.', { code: 'parameter_missing', param: 'success_url' });
    for (const name of ['success_url', 'cancel_url'] as const) {
      const url = params[name];
      if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) throw invalidParams('Not a valid URL', { code: 'url_invalid', param: name });
    }
    this.checkCustomerParams(params, mode);
    const items = params.line_items ?? [];
    if (!items.length) throw invalidParams('Missing required param: line_items.', { code: 'parameter_missing', param: 'line_items' });
    let currency = params.currency?.toLowerCase();
    if (currency && !MINIMUM_AMOUNTS[currency]) throw invalidParams(`Invalid currency: ${params.currency}.`, { param: 'currency' });
    const priced = items.map((item, i) => {
      const at = `line_items[${i}]`;
      const resolved = this.billing.checkoutPrice(item, at, this.now());
      if (item.quantity === undefined) throw invalidParams(`Missing required param: ${at}[quantity].`, { code: 'parameter_missing', param: `${at}[quantity]` });
      if (item.quantity < 1) {
        throw invalidParams('This value must be greater than or equal to 1.', { code: 'parameter_invalid_integer', param: `${at}[quantity]` });
      }
      const itemCurrency = resolved.price.currency;
      if (currency && currency !== itemCurrency) {
        throw invalidParams('All line items must use the same currency as the Checkout Session.', { param: item.price ? `${at}[price]` : `${at}[price_data][currency]` });
      }
      currency = itemCurrency;
      if (mode === 'payment' && resolved.price.recurring) {
        throw invalidParams('You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.', {
          param: item.price ? `${at}[price]` : `${at}[price_data][recurring]`,
        });
      }
      return { ...resolved, quantity: item.quantity };
    });
    if (mode === 'subscription') this.billing.checkSubscriptionItems(priced.map((p) => p.price));
    const sessionCurrency = currency ?? 'eur';
    const amount = priced.reduce((sum, p) => sum + (p.price.unit_amount ?? 0) * p.quantity, 0);
    const minimum = MINIMUM_AMOUNTS[sessionCurrency];
    if (amount < minimum) {
      throw invalidParams(`The Checkout Session's total amount due must add up to at least ${formatAmount(minimum, sessionCurrency)}`, {
        code: 'amount_too_small',
      });
    }
    const now = this.now();
    let expiresAt = now + 24 * 3600;
    if (params.expires_at !== undefined) {
      expiresAt = params.expires_at;
      if (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 3600) {
        throw invalidParams("The `expires_at` timestamp must be between 30 minutes and 24 hours from the Checkout Session's creation.", {
          param: 'expires_at',
        });
      }
    }
    const allowed = params.allowed_payment_method_types;
    const supported = mode === 'subscription' ? ['card'] : ['card', 'sepa_debit'];
    const unsupported = allowed?.find((m) => !supported.includes(m));
    if (unsupported) {
      throw invalidParams(`The Stripe emulator supports the payment method types ${supported.join(' and ')} only in ${mode} mode, not ${unsupported}.`, {
        param: 'allowed_payment_method_types',
      });
    }
    const methods: string[] = allowed?.length ? allowed : supported;
    for (const unsupportedParam of ['discounts', 'setup_intent_data', 'invoice_creation'] as const) {
      if (params[unsupportedParam] !== undefined) {
        throw invalidParams(`The Stripe emulator does not support ${unsupportedParam} on Checkout Sessions.`, { param: unsupportedParam });
      }
    }
    const subscriptionData = mode === 'subscription' ? this.billing.checkoutSubscriptionData(params.subscription_data) : undefined;
    if (mode === 'payment' && params.subscription_data !== undefined) {
      throw invalidParams('You can only specify `subscription_data` in `subscription` mode.', { param: 'subscription_data' });
    }
    if (mode === 'subscription' && params.payment_intent_data !== undefined) {
      throw invalidParams('You can not pass `payment_intent_data` in `subscription` mode.', { param: 'payment_intent_data' });
    }
    const lineItems = priced.map((p) => {
      this.billing.keepCheckoutPrice(p);
      return build.lineItem({ currency: sessionCurrency, unitAmount: p.price.unit_amount ?? 0, quantity: p.quantity, description: p.productName, price: p.price });
    });
    const id = build.checkoutSessionId();
    const session = build.checkoutSession({
      id,
      created: now,
      expiresAt,
      currency: sessionCurrency,
      amount,
      url: `${this.publicUrl()}/c/pay/${id}`,
      successUrl: params.success_url,
      cancelUrl: params.cancel_url ?? null,
      clientReferenceId: params.client_reference_id ?? null,
      customerEmail: params.customer_email ?? null,
      metadata: metadataOf(params.metadata),
      paymentMethodTypes: methods,
      allowedPaymentMethodTypes: allowed?.length ? [...allowed] : null,
      locale: params.locale ?? null,
      mode,
      customer: params.customer ?? null,
      customerCreation: mode === 'payment' ? (params.customer_creation ?? 'if_required') : null,
    });
    this.state.sessions[id] = session;
    this.state.sessionExtras[id] = {
      paymentIntentMetadata: metadataOf(params.payment_intent_data?.metadata),
      lineItems,
      ...(mode === 'payment' && params.customer_creation === 'always' ? { createCustomer: true } : {}),
      ...(subscriptionData ? { subscriptionData } : {}),
    };
    this.scheduler.after((expiresAt - now) * 1000, { kind: 'expire_session', sessionId: id });
    void request;
    this.changed();
    return session;
  }

  /** `customer`, `customer_email` and `customer_creation`, as Stripe combines them. */
  private checkCustomerParams(params: Stripe.Checkout.SessionCreateParams, mode: 'payment' | 'subscription'): void {
    if (params.customer !== undefined && params.customer_email !== undefined) {
      throw invalidParams('You may only specify one of these parameters: customer, customer_email.', { param: 'customer_email' });
    }
    if (params.customer_creation !== undefined) {
      if (mode !== 'payment') throw invalidParams('`customer_creation` can only be used in `payment` mode.', { param: 'customer_creation' });
      if (params.customer !== undefined) throw invalidParams('You may only specify one of these parameters: customer, customer_creation.', { param: 'customer_creation' });
    }
    if (params.customer_update !== undefined) {
      throw invalidParams('The Stripe emulator does not support customer_update on Checkout Sessions.', { param: 'customer_update' });
    }
    if (params.customer !== undefined) this.customers.live(params.customer, 'customer');
  }

  session(id: string, param = 'session'): Stripe.Checkout.Session {
    const session = this.state.sessions[id];
    if (!session) throw resourceMissing('checkout.session', id, param);
    return session;
  }

  lineItems(id: string): Stripe.LineItem[] {
    this.session(id);
    return this.state.sessionExtras[id].lineItems;
  }

  expireSession(id: string, request: RequestInfo | null): Stripe.Checkout.Session {
    const session = this.session(id);
    if (session.status !== 'open') {
      throw invalidRequest(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
        {},
      );
    }
    const intent = this.sessionIntent(session);
    if (intent && intent.status !== 'succeeded' && intent.status !== 'canceled' && intent.status !== 'processing') {
      intent.status = 'canceled';
      intent.canceled_at = this.now();
      intent.cancellation_reason = 'abandoned';
      intent.next_action = null;
      this.intentEvent('payment_intent.canceled', intent, request);
    }
    session.status = 'expired';
    session.url = null;
    this.scheduler.cancel((job) => job.kind === 'expire_session' && job.sessionId === id);
    this.sessionEvent('checkout.session.expired', session, request);
    return session;
  }

  // ---------------------------------------------------------------- paying on the hosted page

  private intentFor(session: Stripe.Checkout.Session): Stripe.PaymentIntent {
    const existing = idOf(session.payment_intent);
    if (existing) return this.state.paymentIntents[existing];
    const intent = this.createIntent({
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'eur',
      metadata: { ...this.state.sessionExtras[session.id].paymentIntentMetadata },
      paymentMethodTypes: session.payment_method_types,
      customer: idOf(session.customer),
    });
    session.payment_intent = intent.id;
    return intent;
  }

  /** A new PaymentIntent (`payment_intent.created`), stamped with the object time. */
  createIntent(input: Omit<Parameters<typeof build.paymentIntent>[0], 'created' | 'receiptEmail'>): Stripe.PaymentIntent {
    const intent = build.paymentIntent({ ...input, created: this.objectNow(), receiptEmail: null });
    this.state.paymentIntents[intent.id] = intent;
    this.intentEvent('payment_intent.created', intent);
    return intent;
  }

  /** Stripe's `customer_details` of a session: the email typed on the page, else the customer's. */
  private customerDetails(session: Stripe.Checkout.Session, email: string | null): void {
    const customerId = idOf(session.customer);
    const known = email ?? (customerId ? (this.state.customers[customerId]?.email ?? null) : null) ?? session.customer_email;
    if (known) session.customer_details = build.customerDetails(known);
  }

  /** `customer_creation: always`: the session's Customer is created when it completes. */
  private createSessionCustomer(session: Stripe.Checkout.Session, intent: Stripe.PaymentIntent): void {
    if (!this.state.sessionExtras[session.id].createCustomer || session.customer) return;
    const customer = this.customers.createFor(session.customer_details?.email ?? null, null);
    session.customer = customer.id;
    intent.customer = customer.id;
  }

  newCharge(
    intent: Stripe.PaymentIntent,
    status: Stripe.Charge.Status,
    method: PaymentMethodUsed,
    email: string | null,
    extras: ChargeExtras,
    failure: { code: string; message: string; declineCode: string | null } | null = null,
  ): Stripe.Charge {
    const charge = build.charge({
      created: this.objectNow(),
      intent,
      status,
      method,
      paymentMethodId: typeof intent.payment_method === 'string' ? intent.payment_method : build.newId('pm'),
      email,
      failure,
      receiptUrl: (id) => `${this.publicUrl()}/receipts/${id}`,
    });
    this.state.charges[charge.id] = charge;
    this.state.chargeExtras[charge.id] = extras;
    intent.latest_charge = charge.id;
    return charge;
  }

  /** The guest's submission on the hosted page. Returns where the browser goes next. */
  pay(sessionId: string, card: CardBehaviour, email: string | null): 'success' | 'declined' | 'requires_action' {
    const session = this.session(sessionId);
    if (session.status !== 'open') throw invalidRequest(`This Checkout Session is ${session.status}.`);
    this.customerDetails(session, email);
    if (session.mode === 'subscription') return this.billing.payCheckout(session, card, email);
    const { outcome, method } = card;
    const intent = this.intentFor(session);
    intent.payment_method = build.newId('pm');
    intent.payment_method_types = [method.type];
    intent.receipt_email = email;
    this.state.sessionExtras[session.id].method = method;
    switch (outcome.kind) {
      case 'succeed':
        this.succeed(session, intent, method, outcome);
        return 'success';
      case 'decline':
        this.decline(intent, method, outcome, true);
        return 'declined';
      case 'requires_action':
        intent.status = 'requires_action';
        intent.next_action = {
          type: 'redirect_to_url',
          redirect_to_url: { url: `${this.publicUrl()}/c/pay/${session.id}/3ds`, return_url: null },
        };
        this.intentEvent('payment_intent.requires_action', intent);
        this.changed();
        return 'requires_action';
      case 'delayed': {
        intent.status = 'processing';
        intent.last_payment_error = null;
        intent.processing = null;
        this.intentEvent('payment_intent.processing', intent);
        this.createSessionCustomer(session, intent);
        const charge = this.newCharge(intent, 'pending', method, email, { refundsFail: false, disputes: false });
        this.chargeEvent('charge.pending', charge);
        session.status = 'complete';
        session.payment_status = 'unpaid';
        session.url = null;
        this.scheduler.cancel((job) => job.kind === 'expire_session' && job.sessionId === session.id);
        this.sessionEvent('checkout.session.completed', session);
        this.scheduler.after(this.options.asyncPaymentDelayMs, { kind: 'settle_delayed', intentId: intent.id, succeed: outcome.willSucceed });
        return 'success';
      }
    }
  }

  /** A declined attempt: `charge.failed` (when a charge was made) → `payment_intent.payment_failed`. */
  decline(
    intent: Stripe.PaymentIntent,
    method: PaymentMethodUsed,
    outcome: { code: string; declineCode?: string; message: string },
    withCharge: boolean,
    type: 'card_error' | 'invalid_request_error' = 'card_error',
  ) {
    intent.status = 'requires_payment_method';
    intent.next_action = null;
    const charge = withCharge
      ? this.newCharge(intent, 'failed', method, intent.receipt_email, { refundsFail: false, disputes: false }, {
          code: outcome.code,
          message: outcome.message,
          declineCode: outcome.declineCode ?? null,
        })
      : null;
    intent.last_payment_error = {
      type,
      code: outcome.code,
      ...(outcome.declineCode ? { decline_code: outcome.declineCode } : {}),
      doc_url: `https://docs.stripe.com/error-codes/${outcome.code.replace(/_/g, '-')}`,
      message: outcome.message,
      ...(charge ? { charge: charge.id } : {}),
      payment_method_type: method.type,
    };
    if (charge) this.chargeEvent('charge.failed', charge);
    this.intentEvent('payment_intent.payment_failed', intent);
  }

  private succeed(
    session: Stripe.Checkout.Session,
    intent: Stripe.PaymentIntent,
    method: PaymentMethodUsed,
    outcome: { refundsFail?: boolean; disputes?: boolean },
    pending?: Stripe.Charge,
  ) {
    if (!pending) this.createSessionCustomer(session, intent);
    const charge = this.chargeSucceeded(intent, method, outcome, pending);
    const wasComplete = session.status === 'complete';
    session.status = 'complete';
    session.payment_status = 'paid';
    session.url = null;
    this.scheduler.cancel((job) => job.kind === 'expire_session' && job.sessionId === session.id);
    this.sessionEvent(wasComplete ? 'checkout.session.async_payment_succeeded' : 'checkout.session.completed', session);
    this.settleCharge(charge);
  }

  /** The session's payment is done: `checkout.session.completed` (its expiry no longer due). */
  completeSession(session: Stripe.Checkout.Session): void {
    this.scheduler.cancel((job) => job.kind === 'expire_session' && job.sessionId === session.id);
    this.sessionEvent('checkout.session.completed', session);
  }

  /** A successful attempt: `charge.succeeded` → `payment_intent.succeeded` (a pending SEPA charge settles instead of a new one). */
  chargeSucceeded(
    intent: Stripe.PaymentIntent,
    method: PaymentMethodUsed,
    outcome: { refundsFail?: boolean; disputes?: boolean },
    pending?: Stripe.Charge,
  ): Stripe.Charge {
    const extras = { refundsFail: Boolean(outcome.refundsFail), disputes: Boolean(outcome.disputes) };
    let charge: Stripe.Charge;
    if (pending) {
      charge = pending;
      charge.status = 'succeeded';
      charge.paid = true;
      charge.captured = true;
      charge.amount_captured = charge.amount;
      charge.outcome = { ...charge.outcome!, network_status: 'approved_by_network', seller_message: 'Payment complete.', type: 'authorized' };
      charge.receipt_url = `${this.publicUrl()}/receipts/${charge.id}`;
      this.state.chargeExtras[charge.id] = extras;
    } else {
      charge = this.newCharge(intent, 'succeeded', method, intent.receipt_email, extras);
    }
    this.chargeEvent('charge.succeeded', charge);
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.last_payment_error = null;
    intent.next_action = null;
    this.intentEvent('payment_intent.succeeded', intent);
    return charge;
  }

  /** Stripe creates the balance transaction after the charge: `charge.updated` tells of it (then card 0259's dispute). */
  settleCharge(charge: Stripe.Charge): void {
    const txn = build.balanceTransaction({
      created: this.objectNow(),
      amount: charge.amount,
      fee: build.processingFee(charge.amount),
      currency: charge.currency,
      type: 'charge',
      reportingCategory: 'charge',
      source: charge.id,
      description: null,
    });
    this.state.balanceTransactions[txn.id] = txn;
    charge.balance_transaction = txn.id;
    this.chargeUpdated(charge, { balance_transaction: null });
    if (this.state.chargeExtras[charge.id]?.disputes) this.scheduler.after(this.options.disputeDelayMs, { kind: 'open_dispute', chargeId: charge.id });
  }

  private settleDelayed(intentId: string, succeed: boolean) {
    const intent = this.state.paymentIntents[intentId];
    if (!intent || intent.status !== 'processing') return;
    const session = Object.values(this.state.sessions).find((s) => idOf(s.payment_intent) === intentId);
    const charge = intent.latest_charge ? this.state.charges[idOf(intent.latest_charge)!] : undefined;
    if (!session || !charge) return;
    const method: PaymentMethodUsed = this.state.sessionExtras[session.id].method ?? {
      type: 'sepa_debit',
      country: 'DE',
      bankCode: '37040044',
      last4: '3000',
    };
    if (succeed) {
      this.succeed(session, intent, method, {}, charge);
      return;
    }
    charge.status = 'failed';
    charge.failure_code = 'insufficient_funds';
    charge.failure_message = 'The account has insufficient funds to cover this payment.';
    charge.outcome = { ...charge.outcome!, network_status: 'declined_by_network', reason: 'insufficient_funds', type: 'issuer_declined', seller_message: 'The bank returned the debit.' };
    this.chargeEvent('charge.failed', charge);
    intent.status = 'requires_payment_method';
    intent.last_payment_error = {
      type: 'card_error',
      code: 'insufficient_funds',
      doc_url: 'https://docs.stripe.com/error-codes/insufficient-funds',
      message: 'The account has insufficient funds to cover this payment.',
      charge: charge.id,
      payment_method_type: 'sepa_debit',
    };
    this.intentEvent('payment_intent.payment_failed', intent);
    this.sessionEvent('checkout.session.async_payment_failed', session);
  }

  /** 3-D Secure answered on the authentication page. */
  authenticate(sessionId: string, passed: boolean): 'success' | 'declined' {
    const session = this.session(sessionId);
    const intent = this.sessionIntent(session);
    if (session.status !== 'open' || !intent || intent.status !== 'requires_action') {
      throw invalidRequest('There is no authentication pending for this Checkout Session.');
    }
    const method = this.state.sessionExtras[session.id].method;
    const used: PaymentMethodUsed = method ?? { type: 'card', brand: 'visa', last4: '3220', expMonth: 12, expYear: 2034, threeDSecure: true };
    if (passed) {
      if (session.mode === 'subscription') this.billing.completeCheckout(session, intent);
      else this.succeed(session, intent, used, {});
      return 'success';
    }
    this.decline(
      intent,
      used,
      {
        code: 'payment_intent_authentication_failure',
        message:
          'The provided payment method has failed authentication. Provide a new payment method to attempt to fulfill this PaymentIntent again.',
      },
      false,
      'invalid_request_error',
    );
    return 'declined';
  }

  // ---------------------------------------------------------------- reads

  /** A session's PaymentIntent: `payment_intent` in payment mode; in subscription mode the first invoice's (Stripe shows none). */
  sessionIntent(session: Stripe.Checkout.Session): Stripe.PaymentIntent | undefined {
    const id = idOf(session.payment_intent) ?? this.state.sessionExtras[session.id]?.paymentIntent;
    return id ? this.state.paymentIntents[id] : undefined;
  }

  paymentIntent(id: string, param = 'intent'): Stripe.PaymentIntent {
    const intent = this.state.paymentIntents[id];
    if (!intent) throw resourceMissing('payment_intent', id, param);
    return intent;
  }

  charge(id: string, param = 'charge'): Stripe.Charge {
    const charge = this.state.charges[id];
    if (!charge) throw resourceMissing('charge', id, param);
    return charge;
  }

  refund(id: string, param = 'refund'): Stripe.Refund {
    const refund = this.state.refunds[id];
    if (!refund) throw resourceMissing('refund', id, param);
    return refund;
  }

  dispute(id: string, param = 'dispute'): Stripe.Dispute {
    const dispute = this.state.disputes[id];
    if (!dispute) throw resourceMissing('dispute', id, param);
    return dispute;
  }

  event(id: string, param = 'id'): Stripe.Event {
    const event = this.state.events.find((e) => e.id === id);
    if (!event) throw resourceMissing('event', id, param);
    return event;
  }

  /** An object of any stored kind by its id (for `expand`). */
  byId(id: string): object | undefined {
    const s = this.state;
    return (
      s.sessions[id] ??
      s.paymentIntents[id] ??
      s.charges[id] ??
      s.refunds[id] ??
      s.disputes[id] ??
      s.balanceTransactions[id] ??
      s.customers[id] ??
      (s.deletedCustomers.includes(id) ? { id, object: 'customer', deleted: true } : undefined) ??
      s.paymentMethods[id] ??
      s.products[id] ??
      s.prices[id] ??
      s.subscriptions[id] ??
      s.invoices[id] ??
      s.invoicePayments[id] ??
      s.testClocks[id]
    );
  }

  // ---------------------------------------------------------------- refunds

  /** POST /v1/refunds, parameters already checked against the SDK's type. */
  createRefund(params: Stripe.RefundCreateParams, request: RequestInfo): Stripe.Refund {
    for (const unsupported of ['customer', 'origin', 'instructions_email', 'refund_application_fee', 'reverse_transfer'] as const) {
      if (params[unsupported] !== undefined) {
        throw invalidParams(`The Stripe emulator does not support ${unsupported} on refunds.`, { param: unsupported });
      }
    }
    if (!params.charge && !params.payment_intent) {
      throw invalidParams('One of the following params should be provided for this request: payment_intent or charge.', { code: 'parameter_missing' });
    }
    if (params.amount !== undefined && params.amount < 1) {
      throw invalidParams('Invalid positive integer', { code: 'parameter_invalid_integer', param: 'amount' });
    }
    let charge: Stripe.Charge;
    if (params.charge) {
      charge = this.charge(params.charge, 'charge');
      if (params.payment_intent && charge.payment_intent !== params.payment_intent) {
        throw invalidRequest(`The charge ${charge.id} does not belong to the PaymentIntent ${params.payment_intent}.`, { param: 'payment_intent' });
      }
    } else {
      const intent = this.paymentIntent(params.payment_intent!, 'payment_intent');
      const latest = idOf(intent.latest_charge);
      if (intent.status !== 'succeeded' || !latest) {
        throw invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, { param: 'payment_intent' });
      }
      charge = this.charge(latest, 'payment_intent');
    }
    if (params.currency && params.currency.toLowerCase() !== charge.currency) {
      throw invalidRequest(`The refund currency must be the charge's currency (${charge.currency}).`, { param: 'currency' });
    }
    if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded; it cannot be refunded.`, { param: 'charge' });
    if (charge.disputed) throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, { code: 'charge_disputed' });
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
    const amount = params.amount ?? remaining;
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
        { code: 'amount_too_large', param: 'amount' },
      );
    }
    const txn = build.balanceTransaction({
      created: this.now(),
      amount: -amount,
      fee: 0,
      currency: charge.currency,
      type: 'refund',
      reportingCategory: 'refund',
      source: '',
      description: 'REFUND FOR CHARGE',
    });
    const refund = build.refund({
      created: this.now(),
      amount,
      charge,
      reason: params.reason ?? null,
      metadata: metadataOf(params.metadata),
      balanceTransaction: txn.id,
    });
    txn.source = refund.id;
    this.state.balanceTransactions[txn.id] = txn;
    this.state.refunds[refund.id] = refund;
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    this.refundEvent('refund.created', refund, request);
    this.chargeEvent('charge.refunded', charge, request);
    if (this.state.chargeExtras[charge.id]?.refundsFail) {
      this.scheduler.after(this.options.refundFailureDelayMs, { kind: 'fail_refund', refundId: refund.id });
    } else if (refund.destination_details?.card) {
      this.scheduler.after(this.options.refundReferenceDelayMs, { kind: 'refund_reference', refundId: refund.id });
    }
    return refund;
  }

  /** The card network's reference for a refund becomes available (`refund.updated`). */
  private refundReferenceAvailable(refundId: string): void {
    const refund = this.state.refunds[refundId];
    const details = refund?.destination_details;
    if (!refund || refund.status !== 'succeeded' || !details?.card) return;
    const previous = { destination_details: snapshot(details) };
    details.card = { ...details.card, reference: String(Math.floor(1e13 + Math.random() * 9e13)), reference_status: 'available' };
    this.refundUpdated('refund.updated', refund, previous);
  }

  /** A refund that fails after it was accepted (card 4000 0000 0000 5126): the money goes back to the charge. */
  failRefund(refundId: string, reason = 'expired_or_canceled_card'): void {
    const refund = this.refund(refundId);
    if (refund.status === 'failed' || refund.status === 'canceled') return;
    const previous: Partial<Stripe.Refund> = { status: refund.status };
    const charge = this.charge(idOf(refund.charge)!);
    const txn = build.balanceTransaction({
      created: this.now(),
      amount: refund.amount,
      fee: 0,
      currency: refund.currency,
      type: 'refund_failure',
      reportingCategory: 'refund_failure',
      source: refund.id,
      description: 'REFUND FAILURE',
    });
    this.state.balanceTransactions[txn.id] = txn;
    refund.status = 'failed';
    refund.failure_reason = reason;
    refund.failure_balance_transaction = txn.id;
    charge.amount_refunded -= refund.amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    this.refundUpdated('refund.updated', refund, previous);
    this.refundEvent('refund.failed', refund);
    this.refundUpdated('charge.refund.updated', refund, previous);
  }

  // ---------------------------------------------------------------- disputes

  /** The cardholder disputes a charge: `charge.dispute.created`, then the funds are withdrawn. */
  openDispute(chargeId: string, reason = 'fraudulent'): Stripe.Dispute {
    const charge = this.charge(chargeId, 'charge');
    const dispute = build.dispute({ created: this.now(), charge, reason });
    this.state.disputes[dispute.id] = dispute;
    charge.disputed = true;
    this.disputeEvent('charge.dispute.created', dispute);
    const withdrawal = build.balanceTransaction({
      created: this.now(),
      amount: -dispute.amount,
      fee: 1500,
      currency: dispute.currency,
      type: 'adjustment',
      reportingCategory: 'dispute',
      source: dispute.id,
      description: `Chargeback withdrawal for ${charge.id}`,
    });
    this.state.balanceTransactions[withdrawal.id] = withdrawal;
    dispute.balance_transactions = [withdrawal];
    this.disputeEvent('charge.dispute.funds_withdrawn', dispute);
    return dispute;
  }
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** Metadata as Stripe stores it: string values, '' or null unsets. */
function metadataOf(params: Stripe.Emptyable<Stripe.MetadataParam> | undefined): Stripe.Metadata {
  const out: Stripe.Metadata = {};
  if (!params) return out;
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== '') out[key] = String(value);
  return out;
}
