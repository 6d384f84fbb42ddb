/**
 * The emulator's state and Stripe's rules for the objects this product uses:
 * Checkout Sessions, PaymentIntents, Charges, Refunds, Disputes and Events. All
 * objects are typed with the `stripe` package's own types; events carry
 * snapshots (not live references), with previous_attributes for updates.
 */
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { invalidRequest, missing } from './emulator-errors';

export const API_VERSION = '2025-10-29.clover';
const CURRENCIES = new Set(['eur', 'usd', 'gbp', 'chf', 'sek', 'nok', 'dkk', 'pln', 'cad', 'aud', 'jpy']);

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

const clone = <T>(value: T): T => structuredClone(value);

const customerDetails = (email: string) =>
  ({ address: null, email, name: null, phone: null, tax_exempt: 'none', tax_ids: [] }) as unknown as Stripe.Checkout.Session.CustomerDetails;

export interface Clock {
  now(): number;
}

export interface RequestInfo {
  id: string;
  idempotencyKey?: string | null;
}

/** A card as the checkout page submits it. */
export type PaymentOutcome =
  | { kind: 'succeed'; refundsFail?: boolean; disputes?: boolean }
  | { kind: 'decline'; code: string; declineCode?: string; message: string; type?: 'card_error' | 'invalid_request_error' }
  | { kind: 'requires_action' }
  | { kind: 'delayed'; willSucceed: boolean };

interface SessionExtras {
  paymentIntentMetadata: Stripe.Metadata;
  lineItems: Stripe.LineItem[];
}

interface ChargeExtras {
  refundsFail: boolean;
}

export class EmulatorStore {
  readonly sessions = new Map<string, Stripe.Checkout.Session>();
  readonly sessionExtras = new Map<string, SessionExtras>();
  readonly paymentIntents = new Map<string, Stripe.PaymentIntent>();
  readonly charges = new Map<string, Stripe.Charge>();
  readonly chargeExtras = new Map<string, ChargeExtras>();
  readonly refunds = new Map<string, Stripe.Refund>();
  readonly disputes = new Map<string, Stripe.Dispute>();
  readonly events: Stripe.Event[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly publicUrl: () => string,
    private readonly onEvent: (event: Stripe.Event) => void,
    private readonly later: (ms: number, fn: () => void) => void,
    private readonly options: { asyncPaymentDelayMs: number },
  ) {}

  // ---------------------------------------------------------------- events

  emit(type: string, object: { id: string }, previous?: Record<string, unknown>, request?: RequestInfo): Stripe.Event {
    const event = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.clock.now(),
      data: { object: clone(object), ...(previous ? { previous_attributes: clone(previous) } : {}) },
      livemode: false,
      pending_webhooks: 0,
      request: { id: request?.id ?? null, idempotency_key: request?.idempotencyKey ?? null },
      type,
    } as unknown as Stripe.Event;
    this.events.push(event);
    this.onEvent(event);
    return event;
  }

  // ---------------------------------------------------------------- checkout sessions

  createSession(params: Record<string, any>, request: RequestInfo): Stripe.Checkout.Session {
    if (params.mode !== 'payment') {
      throw invalidRequest(params.mode ? `Only mode "payment" is supported by this emulator` : 'Missing required param: mode.', 'mode');
    }
    const items: any[] = Array.isArray(params.line_items) ? params.line_items : params.line_items ? Object.values(params.line_items) : [];
    if (!items.length) throw invalidRequest('Missing required param: line_items.', 'line_items');
    if (!params.success_url) throw invalidRequest('Missing required param: success_url.', 'success_url');
    const now = this.clock.now();
    let currency: string | undefined = params.currency ? String(params.currency).toLowerCase() : undefined;
    if (currency && !CURRENCIES.has(currency)) throw invalidRequest(`Invalid currency: ${params.currency}.`, 'currency');
    const lineItems: Stripe.LineItem[] = items.map((item, i) => {
      const price = item.price_data;
      if (!price) throw invalidRequest('Each line item needs price_data (prices are not supported).', `line_items[${i}][price_data]`);
      const itemCurrency = String(price.currency ?? '').toLowerCase();
      if (!CURRENCIES.has(itemCurrency)) throw invalidRequest(`Invalid currency: ${price.currency}.`, `line_items[${i}][price_data][currency]`);
      if (currency && currency !== itemCurrency) {
        throw invalidRequest('All line items must use the session currency.', `line_items[${i}][price_data][currency]`);
      }
      currency = itemCurrency;
      const unitAmount = Number(price.unit_amount);
      if (!Number.isInteger(unitAmount) || unitAmount < 0) {
        throw invalidRequest('Invalid integer: unit_amount.', `line_items[${i}][price_data][unit_amount]`);
      }
      const quantity = item.quantity === undefined ? 1 : Number(item.quantity);
      if (!Number.isInteger(quantity) || quantity < 1) throw invalidRequest('Invalid integer: quantity.', `line_items[${i}][quantity]`);
      if (!price.product_data?.name) {
        throw invalidRequest('Missing required param: product_data[name].', `line_items[${i}][price_data][product_data][name]`);
      }
      return {
        id: newId('li'),
        object: 'item',
        amount_discount: 0,
        amount_subtotal: unitAmount * quantity,
        amount_tax: 0,
        amount_total: unitAmount * quantity,
        currency: itemCurrency,
        description: price.product_data.name,
        quantity,
        price: null,
      } as unknown as Stripe.LineItem;
    });
    let expiresAt = now + 24 * 3600;
    if (params.expires_at !== undefined) {
      expiresAt = Number(params.expires_at);
      if (!Number.isInteger(expiresAt) || expiresAt < now + 30 * 60 || expiresAt > now + 24 * 3600) {
        throw invalidRequest(
          "The `expires_at` timestamp must be between 30 minutes and 24 hours from the Checkout Session's creation.",
          'expires_at',
        );
      }
    }
    const amount = lineItems.reduce((sum, li) => sum + li.amount_total, 0);
    const id = `cs_test_${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')}`;
    const session = {
      id,
      object: 'checkout.session',
      after_expiration: null,
      allow_promotion_codes: null,
      automatic_tax: { enabled: false, liability: null, status: null },
      invoice: null,
      locale: null,
      payment_method_options: {},
      setup_intent: null,
      submit_type: null,
      subscription: null,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      amount_subtotal: amount,
      amount_total: amount,
      cancel_url: params.cancel_url ?? null,
      client_reference_id: params.client_reference_id ?? null,
      created: now,
      currency,
      customer: null,
      customer_details: params.customer_email ? customerDetails(params.customer_email) : null,
      customer_email: params.customer_email ?? null,
      expires_at: expiresAt,
      livemode: false,
      metadata: { ...(params.metadata ?? {}) },
      mode: 'payment',
      payment_intent: null,
      payment_method_types: ['card', 'sepa_debit'],
      payment_status: 'unpaid',
      status: 'open',
      success_url: params.success_url,
      url: `${this.publicUrl()}/c/pay/${id}`,
    } as unknown as Stripe.Checkout.Session;
    this.sessions.set(id, session);
    this.sessionExtras.set(id, { paymentIntentMetadata: { ...(params.payment_intent_data?.metadata ?? {}) }, lineItems });
    void request;
    return session;
  }

  session(id: string): Stripe.Checkout.Session {
    this.expireDue();
    const session = this.sessions.get(id);
    if (!session) throw missing('checkout.session', id);
    return session;
  }

  lineItems(id: string): Stripe.LineItem[] {
    this.session(id);
    return this.sessionExtras.get(id)!.lineItems;
  }

  expireSession(id: string, request?: RequestInfo): Stripe.Checkout.Session {
    const session = this.sessions.get(id);
    if (!session) throw missing('checkout.session', id);
    if (session.status !== 'open') {
      throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`, undefined, 'checkout_session_not_open' as string);
    }
    session.status = 'expired';
    const intentId = session.payment_intent as string | null;
    if (intentId) {
      const intent = this.paymentIntents.get(intentId)!;
      if (intent.status !== 'succeeded' && intent.status !== 'canceled') {
        const previous = { status: intent.status };
        intent.status = 'canceled';
        intent.canceled_at = this.clock.now();
        intent.cancellation_reason = 'abandoned';
        this.emit('payment_intent.canceled', intent, previous, request);
      }
    }
    this.emit('checkout.session.expired', session, undefined, request);
    return session;
  }

  /** Sessions whose expires_at has passed on the emulator's clock expire, as Stripe does. */
  expireDue(): void {
    const now = this.clock.now();
    for (const session of this.sessions.values()) {
      if (session.status === 'open' && session.expires_at <= now) this.expireSession(session.id);
    }
  }

  // ---------------------------------------------------------------- paying on the hosted page

  private intentFor(session: Stripe.Checkout.Session, method: 'card' | 'sepa_debit'): Stripe.PaymentIntent {
    if (session.payment_intent) return this.paymentIntents.get(session.payment_intent as string)!;
    const intent = {
      id: newId('pi'),
      object: 'payment_intent',
      amount: session.amount_total,
      amount_capturable: 0,
      amount_received: 0,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic',
      client_secret: `${newId('pi')}_secret_${randomBytes(8).toString('hex')}`,
      created: this.clock.now(),
      currency: session.currency,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: { ...this.sessionExtras.get(session.id)!.paymentIntentMetadata },
      payment_method_types: [method],
      status: 'requires_payment_method',
    } as unknown as Stripe.PaymentIntent;
    this.paymentIntents.set(intent.id, intent);
    session.payment_intent = intent.id;
    this.emit('payment_intent.created', intent);
    return intent;
  }

  private charge(intent: Stripe.PaymentIntent, status: 'succeeded' | 'failed', extras: ChargeExtras, failure?: { code: string; message: string }) {
    const charge = {
      id: newId('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: status === 'succeeded' ? intent.amount : 0,
      amount_refunded: 0,
      captured: status === 'succeeded',
      created: this.clock.now(),
      currency: intent.currency,
      disputed: false,
      failure_code: failure?.code ?? null,
      failure_message: failure?.message ?? null,
      livemode: false,
      metadata: { ...intent.metadata },
      paid: status === 'succeeded',
      payment_intent: intent.id,
      refunded: false,
      status,
    } as unknown as Stripe.Charge;
    this.charges.set(charge.id, charge);
    this.chargeExtras.set(charge.id, extras);
    intent.latest_charge = charge.id;
    return charge;
  }

  /** The outcome of the guest's submission on the hosted page. Returns where the browser goes next. */
  pay(sessionId: string, outcome: PaymentOutcome, method: 'card' | 'sepa_debit', email?: string): 'success' | 'declined' | 'requires_action' {
    const session = this.session(sessionId);
    if (session.status !== 'open') throw invalidRequest(`This Checkout Session is ${session.status}.`);
    if (email) session.customer_details = customerDetails(email);
    const intent = this.intentFor(session, method);
    intent.payment_method_types = [method];
    switch (outcome.kind) {
      case 'succeed':
        this.succeed(session, intent, outcome);
        return 'success';
      case 'decline': {
        const previous = { status: intent.status, last_payment_error: intent.last_payment_error };
        intent.status = 'requires_payment_method';
        intent.last_payment_error = {
          type: outcome.type ?? 'card_error',
          code: outcome.code,
          ...(outcome.declineCode ? { decline_code: outcome.declineCode } : {}),
          message: outcome.message,
        } as Stripe.PaymentIntent.LastPaymentError;
        if (outcome.type !== 'invalid_request_error') {
          const failed = this.charge(intent, 'failed', { refundsFail: false }, { code: outcome.code, message: outcome.message });
          this.emit('charge.failed', failed);
        }
        this.emit('payment_intent.payment_failed', intent, previous);
        return 'declined';
      }
      case 'requires_action': {
        const previous = { status: intent.status };
        intent.status = 'requires_action';
        this.emit('payment_intent.requires_action', intent, previous);
        return 'requires_action';
      }
      case 'delayed': {
        const previous = { status: intent.status };
        intent.status = 'processing';
        this.emit('payment_intent.processing', intent, previous);
        session.status = 'complete';
        session.payment_status = 'unpaid';
        this.emit('checkout.session.completed', session);
        this.later(this.options.asyncPaymentDelayMs, () => this.settleDelayed(session, intent, outcome.willSucceed));
        return 'success';
      }
    }
  }

  private succeed(session: Stripe.Checkout.Session, intent: Stripe.PaymentIntent, outcome: { refundsFail?: boolean; disputes?: boolean }) {
    const charge = this.charge(intent, 'succeeded', { refundsFail: Boolean(outcome.refundsFail) });
    this.emit('charge.succeeded', charge);
    const previous = { status: intent.status, amount_received: intent.amount_received };
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.last_payment_error = null;
    this.emit('payment_intent.succeeded', intent, previous);
    const wasComplete = session.status === 'complete';
    session.status = 'complete';
    session.payment_status = 'paid';
    this.emit(wasComplete ? 'checkout.session.async_payment_succeeded' : 'checkout.session.completed', session);
    if (outcome.disputes) this.later(50, () => this.openDispute(charge.id, 'fraudulent'));
  }

  private settleDelayed(session: Stripe.Checkout.Session, intent: Stripe.PaymentIntent, willSucceed: boolean) {
    if (intent.status !== 'processing') return;
    if (willSucceed) {
      this.succeed(session, intent, {});
      return;
    }
    const previous = { status: intent.status };
    intent.status = 'requires_payment_method';
    intent.last_payment_error = {
      type: 'card_error',
      code: 'payment_method_not_available',
      message: 'The SEPA Direct Debit payment failed: the account could not be debited.',
    } as Stripe.PaymentIntent.LastPaymentError;
    const failed = this.charge(intent, 'failed', { refundsFail: false }, { code: 'insufficient_funds', message: 'The debit was returned.' });
    this.emit('charge.failed', failed);
    this.emit('payment_intent.payment_failed', intent, previous);
    this.emit('checkout.session.async_payment_failed', session);
  }

  /** 3-D Secure answered on the authentication page. */
  authenticate(sessionId: string, passed: boolean): 'success' | 'declined' {
    const session = this.session(sessionId);
    const intent = session.payment_intent ? this.paymentIntents.get(session.payment_intent as string) : undefined;
    if (session.status !== 'open' || !intent || intent.status !== 'requires_action') {
      throw invalidRequest('There is no authentication pending for this Checkout Session.');
    }
    if (passed) {
      this.succeed(session, intent, {});
      return 'success';
    }
    this.pay(sessionId, {
      kind: 'decline',
      type: 'invalid_request_error',
      code: 'payment_intent_authentication_failure',
      message: 'The provided payment method has failed authentication. Provide a new payment method to attempt to fulfill this PaymentIntent again.',
    }, 'card');
    return 'declined';
  }

  // ---------------------------------------------------------------- reads

  paymentIntent(id: string): Stripe.PaymentIntent {
    const intent = this.paymentIntents.get(id);
    if (!intent) throw missing('payment_intent', id);
    return intent;
  }

  chargeById(id: string): Stripe.Charge {
    const charge = this.charges.get(id);
    if (!charge) throw missing('charge', id);
    return charge;
  }

  refund(id: string): Stripe.Refund {
    const refund = this.refunds.get(id);
    if (!refund) throw missing('refund', id);
    return refund;
  }

  event(id: string): Stripe.Event {
    const event = this.events.find((e) => e.id === id);
    if (!event) throw missing('event', id);
    return event;
  }

  // ---------------------------------------------------------------- refunds

  createRefund(params: Record<string, any>, request: RequestInfo): Stripe.Refund {
    let charge: Stripe.Charge | undefined;
    if (params.charge) charge = this.chargeById(String(params.charge));
    else if (params.payment_intent) {
      const intent = this.paymentIntents.get(String(params.payment_intent));
      if (!intent) throw missing('payment_intent', String(params.payment_intent), 'payment_intent');
      if (intent.status !== 'succeeded' || !intent.latest_charge) {
        throw invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, 'payment_intent');
      }
      charge = this.chargeById(intent.latest_charge as string);
    } else {
      throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.');
    }
    if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded; it cannot be refunded.`, 'charge');
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) {
      throw invalidRequest(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
    }
    const amount = params.amount === undefined ? remaining : Number(params.amount);
    if (!Number.isInteger(amount) || amount < 1) throw invalidRequest('Invalid positive integer', 'amount');
    if (amount > remaining) {
      const fmt = (cents: number) => `€${(cents / 100).toFixed(2)}`;
      throw invalidRequest(
        `Refund amount (${fmt(amount)}) is greater than unrefunded amount on charge (${fmt(remaining)})`,
        'amount',
        'amount_too_large',
      );
    }
    if (params.reason && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(params.reason)) {
      throw invalidRequest('Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer', 'reason');
    }
    const refund = {
      id: newId('re'),
      object: 'refund',
      amount,
      charge: charge.id,
      created: this.clock.now(),
      currency: charge.currency,
      failure_reason: null,
      metadata: { ...(params.metadata ?? {}) },
      payment_intent: charge.payment_intent,
      reason: params.reason ?? null,
      status: 'succeeded',
    } as unknown as Stripe.Refund;
    this.refunds.set(refund.id, refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    this.emit('refund.created', refund, undefined, request);
    this.emit('charge.refunded', charge, previous, request);
    if (this.chargeExtras.get(charge.id)?.refundsFail) this.later(100, () => this.failRefund(refund.id));
    return refund;
  }

  /** A refund that fails after it was accepted (card 4000 0000 0000 5126): the money goes back to the charge. */
  failRefund(refundId: string, reason = 'expired_or_canceled_card'): void {
    const refund = this.refund(refundId);
    if (refund.status === 'failed' || refund.status === 'canceled') return;
    const previous = { status: refund.status, failure_reason: refund.failure_reason };
    refund.status = 'failed';
    refund.failure_reason = reason;
    const charge = this.chargeById(refund.charge as string);
    charge.amount_refunded -= refund.amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    this.emit('refund.updated', refund, previous);
    this.emit('refund.failed', refund);
  }

  // ---------------------------------------------------------------- disputes

  openDispute(chargeId: string, reason = 'fraudulent'): Stripe.Dispute {
    const charge = this.chargeById(chargeId);
    const dispute = {
      id: newId('dp'),
      object: 'dispute',
      amount: charge.amount,
      charge: charge.id,
      created: this.clock.now(),
      currency: charge.currency,
      livemode: false,
      metadata: {},
      payment_intent: charge.payment_intent,
      reason,
      status: 'needs_response',
    } as unknown as Stripe.Dispute;
    this.disputes.set(dispute.id, dispute);
    charge.disputed = true;
    this.emit('charge.dispute.created', dispute);
    return dispute;
  }
}
