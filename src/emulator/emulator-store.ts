/**
 * Stripe's rules for the objects this product uses, on the emulator's state:
 * Checkout Sessions, PaymentIntents, Charges, Refunds, Disputes, balance
 * transactions and Events. Events follow Stripe's sequences (README.md,
 * "Events"); each carries a snapshot of its object, and only `*.updated` events
 * carry `previous_attributes`, naming what changed. Time comes from the
 * emulator's clock; what happens later (expiry, delayed settlement, refund
 * references or failures, disputes) is a clock-scheduled job.
 */
import Stripe from 'stripe';
import type { ClockScheduler, JobHandlers } from './clock-scheduler';
import { invalidParams, invalidRequest, resourceMissing } from './emulator-errors';
import type { ChargeExtras, EmulatorState } from './emulator-state';
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

const snapshot = <T>(value: T): T => structuredClone(value);
const nowSeconds = (ms: number) => Math.floor(ms / 1000);

export class EmulatorStore {
  constructor(
    readonly state: EmulatorState,
    private readonly scheduler: ClockScheduler,
    private readonly publicUrl: () => string,
    /** hands a new event to the webhook sender; returns how many endpoints will get it */
    private readonly onEvent: (event: Stripe.Event) => number,
    private readonly changed: () => void,
    private readonly options: StoreOptions,
  ) {}

  now(): number {
    return nowSeconds(this.scheduler.nowMs());
  }

  /** The job handlers for what this store schedules (the webhook sender adds `deliver`). */
  jobHandlers(): Omit<JobHandlers, 'deliver'> {
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

  private publish(event: Stripe.Event): Stripe.Event {
    this.state.events.push(event);
    event.pending_webhooks = this.onEvent(event);
    this.changed();
    return event;
  }

  private base(request: RequestInfo | null) {
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

  private sessionEvent(type: SessionEventType, session: Stripe.Checkout.Session, request: RequestInfo | null = null) {
    return this.publish({ ...this.base(request), type, data: { object: snapshot(session) } });
  }

  private intentEvent(type: IntentEventType, intent: Stripe.PaymentIntent, request: RequestInfo | null = null) {
    return this.publish({ ...this.base(request), type, data: { object: snapshot(intent) } });
  }

  private chargeEvent(type: ChargeEventType, charge: Stripe.Charge, request: RequestInfo | null = null) {
    return this.publish({ ...this.base(request), type, data: { object: snapshot(charge) } });
  }

  private chargeUpdated(charge: Stripe.Charge, previous: Partial<Stripe.Charge>) {
    return this.publish({ ...this.base(null), type: 'charge.updated', data: { object: snapshot(charge), previous_attributes: previous } });
  }

  private refundEvent(type: RefundEventType, refund: Stripe.Refund, request: RequestInfo | null = null) {
    return this.publish({ ...this.base(request), type, data: { object: snapshot(refund) } });
  }

  private refundUpdated(type: 'refund.updated' | 'charge.refund.updated', refund: Stripe.Refund, previous: Partial<Stripe.Refund>) {
    return this.publish({ ...this.base(null), type, data: { object: snapshot(refund), previous_attributes: snapshot(previous) } });
  }

  private disputeEvent(type: DisputeEventType, dispute: Stripe.Dispute) {
    return this.publish({ ...this.base(null), type, data: { object: snapshot(dispute) } });
  }

  // ---------------------------------------------------------------- checkout sessions

  /** POST /v1/checkout/sessions, parameters already checked against the SDK's type. */
  createSession(params: Stripe.Checkout.SessionCreateParams, request: RequestInfo): Stripe.Checkout.Session {
    if (params.mode !== 'payment') {
      throw invalidParams(
        params.mode ? `The Stripe emulator supports Checkout Sessions in mode "payment" only, not "${params.mode}".` : 'Missing required param: mode.',
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
    const items = params.line_items ?? [];
    if (!items.length) throw invalidParams('Missing required param: line_items.', { code: 'parameter_missing', param: 'line_items' });
    let currency = params.currency?.toLowerCase();
    if (currency && !MINIMUM_AMOUNTS[currency]) throw invalidParams(`Invalid currency: ${params.currency}.`, { param: 'currency' });
    const lineItems = items.map((item, i) => {
      const at = `line_items[${i}]`;
      if (item.price) throw resourceMissing('price', item.price, `${at}[price]`);
      const price = item.price_data;
      if (!price) throw invalidParams(`You must specify either \`price\` or \`price_data\` for each line item.`, { param: at });
      if (item.quantity === undefined) throw invalidParams(`Missing required param: ${at}[quantity].`, { code: 'parameter_missing', param: `${at}[quantity]` });
      const itemCurrency = price.currency.toLowerCase();
      if (!MINIMUM_AMOUNTS[itemCurrency]) throw invalidParams(`Invalid currency: ${price.currency}.`, { param: `${at}[price_data][currency]` });
      if (currency && currency !== itemCurrency) {
        throw invalidParams('All line items must use the same currency as the Checkout Session.', { param: `${at}[price_data][currency]` });
      }
      currency = itemCurrency;
      if (price.product) throw resourceMissing('product', price.product, `${at}[price_data][product]`);
      if (!price.product_data) {
        throw invalidParams(`Missing required param: ${at}[price_data][product_data].`, { code: 'parameter_missing', param: `${at}[price_data][product_data]` });
      }
      if (price.recurring) throw invalidParams('Recurring prices need mode "subscription", which the Stripe emulator does not support.', { param: `${at}[price_data][recurring]` });
      const unitAmount = price.unit_amount ?? (price.unit_amount_decimal === undefined ? undefined : Number(price.unit_amount_decimal));
      if (unitAmount === undefined) {
        throw invalidParams(`Missing required param: ${at}[price_data][unit_amount].`, { code: 'parameter_missing', param: `${at}[price_data][unit_amount]` });
      }
      if (!Number.isInteger(unitAmount) || unitAmount < 0) {
        throw invalidParams('This value must be greater than or equal to 0.', { code: 'parameter_invalid_integer', param: `${at}[price_data][unit_amount]` });
      }
      if (item.quantity < 1) {
        throw invalidParams('This value must be greater than or equal to 1.', { code: 'parameter_invalid_integer', param: `${at}[quantity]` });
      }
      return build.lineItem({ currency: itemCurrency, unitAmount, quantity: item.quantity, description: price.product_data.name });
    });
    const sessionCurrency = currency ?? 'eur';
    const amount = lineItems.reduce((sum, li) => sum + li.amount_total, 0);
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
    const unsupported = allowed?.find((m) => m !== 'card' && m !== 'sepa_debit');
    if (unsupported) {
      throw invalidParams(`The Stripe emulator supports the payment method types card and sepa_debit only, not ${unsupported}.`, {
        param: 'allowed_payment_method_types',
      });
    }
    const methods: string[] = allowed?.length ? allowed : ['card', 'sepa_debit'];
    for (const unsupportedParam of ['customer', 'discounts', 'subscription_data', 'setup_intent_data', 'invoice_creation'] as const) {
      if (params[unsupportedParam] !== undefined) {
        throw invalidParams(`The Stripe emulator does not support ${unsupportedParam} on Checkout Sessions.`, { param: unsupportedParam });
      }
    }
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
    });
    this.state.sessions[id] = session;
    this.state.sessionExtras[id] = { paymentIntentMetadata: metadataOf(params.payment_intent_data?.metadata), lineItems };
    this.scheduler.after((expiresAt - now) * 1000, { kind: 'expire_session', sessionId: id });
    void request;
    this.changed();
    return session;
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
    const intentId = idOf(session.payment_intent);
    const intent = intentId ? this.state.paymentIntents[intentId] : undefined;
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
    const intent = build.paymentIntent({
      created: this.now(),
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'eur',
      metadata: { ...this.state.sessionExtras[session.id].paymentIntentMetadata },
      paymentMethodTypes: session.payment_method_types,
      receiptEmail: null,
    });
    this.state.paymentIntents[intent.id] = intent;
    session.payment_intent = intent.id;
    this.intentEvent('payment_intent.created', intent);
    return intent;
  }

  private newCharge(
    intent: Stripe.PaymentIntent,
    status: Stripe.Charge.Status,
    method: PaymentMethodUsed,
    email: string | null,
    extras: ChargeExtras,
    failure: { code: string; message: string; declineCode: string | null } | null = null,
  ): Stripe.Charge {
    const charge = build.charge({
      created: this.now(),
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
  pay(sessionId: string, outcome: PaymentOutcome, method: PaymentMethodUsed, email: string | null): 'success' | 'declined' | 'requires_action' {
    const session = this.session(sessionId);
    if (session.status !== 'open') throw invalidRequest(`This Checkout Session is ${session.status}.`);
    if (email) session.customer_details = build.customerDetails(email);
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

  private decline(
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
    const wasComplete = session.status === 'complete';
    session.status = 'complete';
    session.payment_status = 'paid';
    session.url = null;
    this.scheduler.cancel((job) => job.kind === 'expire_session' && job.sessionId === session.id);
    this.sessionEvent(wasComplete ? 'checkout.session.async_payment_succeeded' : 'checkout.session.completed', session);
    // Stripe creates the balance transaction after the charge: `charge.updated` tells of it
    const txn = build.balanceTransaction({
      created: this.now(),
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
    if (extras.disputes) this.scheduler.after(this.options.disputeDelayMs, { kind: 'open_dispute', chargeId: charge.id });
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
    const intentId = idOf(session.payment_intent);
    const intent = intentId ? this.state.paymentIntents[intentId] : undefined;
    if (session.status !== 'open' || !intent || intent.status !== 'requires_action') {
      throw invalidRequest('There is no authentication pending for this Checkout Session.');
    }
    const method = this.state.sessionExtras[session.id].method;
    const used: PaymentMethodUsed = method ?? { type: 'card', brand: 'visa', last4: '3220', expMonth: 12, expYear: 2034, threeDSecure: true };
    if (passed) {
      this.succeed(session, intent, used, {});
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
    return s.sessions[id] ?? s.paymentIntents[id] ?? s.charges[id] ?? s.refunds[id] ?? s.disputes[id] ?? s.balanceTransactions[id];
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
