/**
 * Stripe Billing for monthly (or any recurring) payments, on the emulator's
 * state: products and prices, Checkout in subscription mode, subscriptions and
 * their renewals, invoices (finalized an hour after they are created, charged
 * with the saved payment method, retried on the Smart Retries schedule), and
 * what happens when the retries are exhausted. Events follow Stripe's sequences
 * (README.md, "Events"); work due later runs on the subscription's timeline
 * (its customer's test clock, or the emulator's clock: test-clocks.ts).
 */
import Stripe from 'stripe';
import * as billingBuild from './billing-objects';
import type { Recurrence } from './billing-objects';
import type { BillingTask } from './clock-scheduler';
import { mergeMetadata, previousAttributes, type Customers } from './customers';
import { EmulatorApiError, invalidParams, invalidRequest, resourceMissing } from './emulator-errors';
import type { EmulatorState } from './emulator-state';
import { idOf, MINIMUM_AMOUNTS, snapshot, type EmulatorStore, type PaymentOutcome, type RequestInfo } from './emulator-store';
import type { CardBehaviour } from './hosted-checkout';
import { newId, type PaymentMethodUsed } from './stripe-objects';
import type { ClockWork, TestClocks } from './test-clocks';

/** What Stripe does when the Smart Retries of a renewal are exhausted (Dashboard: "Subscription status" after all retries fail). */
export type StatusAfterRetries = 'canceled' | 'unpaid' | 'past_due';

export interface BillingOptions {
  /** Smart Retries: delays (seconds of the subscription's timeline) before each retry, counted from the previous failed attempt */
  retryDelaysS: number[];
  statusAfterRetries: StatusAfterRetries;
  /** base URL of the hosted pages (`hosted_invoice_url`) */
  publicUrl: () => string;
}

/** Stripe finalizes a renewal's draft invoice about an hour after creating it. */
export const FINALIZE_AFTER_S = 3600;

/**
 * Smart Retries as Stripe recommends them ("8 tries within 2 weeks"): the
 * failed renewal, then retries 1, 3, 5, 7, 9, 11 and 14 days after it.
 */
export const DEFAULT_RETRY_DELAYS_S = [1, 2, 2, 2, 2, 2, 3].map((days) => days * 86_400);

const DAY = 86_400;

/**
 * `anchor` plus `count` intervals, as Stripe bills: months (and years) keep the
 * anchor's day and time of day in UTC, clamped to the end of shorter months
 * (31 Jan → 28/29 Feb → 31 Mar), always counted from the anchor.
 */
export function addInterval(anchor: number, recurrence: Recurrence, count: number): number {
  const n = recurrence.interval_count * count;
  if (recurrence.interval === 'day') return anchor + n * DAY;
  if (recurrence.interval === 'week') return anchor + n * 7 * DAY;
  const months = recurrence.interval === 'year' ? n * 12 : n;
  const start = new Date(anchor * 1000);
  const monthIndex = start.getUTCMonth() + months;
  const year = start.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay);
  return Date.UTC(year, month, day, start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()) / 1000;
}

const describeInterval = (r: Recurrence) => (r.interval_count === 1 ? `1 ${r.interval}` : `${r.interval_count} ${r.interval}s`);
const INTERVAL_DAYS: Record<string, number> = { day: 1, week: 7, month: 31, year: 366 };
const MAX_INTERVAL_DAYS: Record<string, number> = { day: 3 * 365, week: 156 * 7, month: 36 * 31, year: 3 * 366 };

/** A price a Checkout line item names or describes, stored once the session is accepted. */
export interface CheckoutPrice {
  price: Stripe.Price;
  productName: string;
  /** an inline `price_data` price (and its `product_data` product), not stored yet */
  newPrice: boolean;
  newProduct: Stripe.Product | null;
}

type SubscriptionStatus = Stripe.Subscription.Status;
const ENDED: SubscriptionStatus[] = ['canceled', 'incomplete_expired'];

export class Billing implements ClockWork {
  constructor(
    private readonly store: EmulatorStore,
    private readonly customers: Customers,
    private readonly clocks: TestClocks,
    private readonly options: BillingOptions,
  ) {}

  private get state(): EmulatorState {
    return this.store.state;
  }

  private now(): number {
    return this.store.objectNow();
  }

  // ---------------------------------------------------------------- events

  private subscriptionEvent(type: 'customer.subscription.created' | 'customer.subscription.deleted', sub: Stripe.Subscription, request: RequestInfo | null) {
    this.store.publish({ ...this.store.eventBase(request), type, data: { object: snapshot(sub) } });
  }

  private subscriptionUpdated(sub: Stripe.Subscription, before: Stripe.Subscription, request: RequestInfo | null) {
    const previous = previousAttributes(before, sub);
    if (!Object.keys(previous).length) return;
    this.store.publish({
      ...this.store.eventBase(request),
      type: 'customer.subscription.updated',
      data: { object: snapshot(sub), previous_attributes: snapshot(previous) },
    });
  }

  private invoiceEvent(
    type: 'invoice.created' | 'invoice.finalized' | 'invoice.paid' | 'invoice.payment_succeeded' | 'invoice.payment_failed',
    invoice: Stripe.Invoice,
    request: RequestInfo | null,
  ) {
    this.store.publish({ ...this.store.eventBase(request), type, data: { object: snapshot(invoice) } });
  }

  // ---------------------------------------------------------------- products and prices

  product(id: string, param = 'id'): Stripe.Product {
    const product = this.state.products[id];
    if (!product) throw resourceMissing('product', id, param);
    return product;
  }

  price(id: string, param = 'price'): Stripe.Price {
    const price = this.state.prices[id];
    if (!price) throw resourceMissing('price', id, param);
    return price;
  }

  /** POST /v1/products */
  createProduct(params: Stripe.ProductCreateParams, request: RequestInfo): Stripe.Product {
    for (const unsupported of [
      'default_price_data',
      'images',
      'marketing_features',
      'package_dimensions',
      'shippable',
      'statement_descriptor',
      'tax_code',
      'tax_details',
      'type',
      'unit_label',
      'url',
    ] as const) {
      if (params[unsupported] !== undefined) throw invalidParams(`The Stripe emulator does not support ${unsupported} on products.`, { param: unsupported });
    }
    if (params.id && this.state.products[params.id]) {
      throw invalidRequest(`Product already exists.`, { code: 'resource_already_exists', param: 'id' });
    }
    const product = billingBuild.product({
      id: params.id,
      created: this.store.now(),
      name: params.name,
      description: params.description ?? null,
      metadata: mergeMetadata({}, params.metadata),
      active: params.active ?? true,
    });
    this.state.products[product.id] = product;
    this.store.publish({ ...this.store.eventBase(request), type: 'product.created', data: { object: snapshot(product) } });
    return product;
  }

  listProducts(params: Stripe.ProductListParams): Stripe.Product[] {
    return Object.values(this.state.products).filter(
      (p) => (params.active === undefined || p.active === params.active) && (!params.ids || params.ids.includes(p.id)),
    );
  }

  /** `recurring` of a price or `price_data`, checked as Stripe does. */
  private recurrence(
    recurring: { interval: Stripe.Price.Recurring.Interval; interval_count?: number; meter?: unknown; usage_type?: unknown; trial_period_days?: unknown } | undefined,
    at: string,
  ): Recurrence | null {
    if (!recurring) return null;
    for (const unsupported of ['meter', 'usage_type', 'trial_period_days'] as const) {
      if (recurring[unsupported] !== undefined) {
        throw invalidParams(`The Stripe emulator does not support ${at}[${unsupported}].`, { param: `${at}[${unsupported}]` });
      }
    }
    const count = recurring.interval_count ?? 1;
    if (count < 1) throw invalidParams('This value must be greater than or equal to 1.', { code: 'parameter_invalid_integer', param: `${at}[interval_count]` });
    const interval = recurring.interval;
    if (interval !== 'day' && interval !== 'week' && interval !== 'month' && interval !== 'year') {
      throw invalidParams(`Invalid interval: must be one of day, week, month, or year`, { param: `${at}[interval]` });
    }
    if (count * INTERVAL_DAYS[interval] > MAX_INTERVAL_DAYS[interval]) {
      throw invalidParams('The interval of a recurring price may be at most three years (3 years, 36 months, or 156 weeks).', { param: `${at}[interval_count]` });
    }
    return { interval: recurring.interval, interval_count: count };
  }

  /** POST /v1/prices */
  createPrice(params: Stripe.PriceCreateParams, request: RequestInfo): Stripe.Price {
    for (const unsupported of ['currency_options', 'custom_unit_amount', 'tiers', 'tiers_mode', 'transform_quantity', 'transfer_lookup_key'] as const) {
      if (params[unsupported] !== undefined) throw invalidParams(`The Stripe emulator does not support ${unsupported} on prices.`, { param: unsupported });
    }
    if (params.billing_scheme !== undefined && params.billing_scheme !== 'per_unit') {
      throw invalidParams('The Stripe emulator supports billing_scheme "per_unit" only.', { param: 'billing_scheme' });
    }
    if (params.tax_behavior !== undefined && params.tax_behavior !== 'unspecified') {
      throw invalidParams('The Stripe emulator supports tax_behavior "unspecified" only.', { param: 'tax_behavior' });
    }
    const currency = params.currency.toLowerCase();
    if (!MINIMUM_AMOUNTS[currency]) throw invalidParams(`Invalid currency: ${params.currency}.`, { param: 'currency' });
    const amount = unitAmountParam(params.unit_amount, params.unit_amount_decimal);
    const recurring = this.recurrence(params.recurring, 'recurring');
    if (params.product && params.product_data) throw invalidParams('You may only specify one of these parameters: product, product_data.', { param: 'product_data' });
    if (!params.product && !params.product_data) {
      throw invalidParams('You must specify either `product` or `product_data` when creating a price.', { code: 'parameter_missing', param: 'product' });
    }
    if (params.product) this.product(params.product, 'product');
    if (params.lookup_key && Object.values(this.state.prices).some((p) => p.lookup_key === params.lookup_key)) {
      throw invalidRequest(`A price already uses the lookup key ${params.lookup_key}.`, { param: 'lookup_key' });
    }
    let productId = params.product;
    if (params.product_data) {
      const data = params.product_data;
      for (const unsupported of ['statement_descriptor', 'tax_code', 'tax_details', 'unit_label'] as const) {
        if (data[unsupported] !== undefined) {
          throw invalidParams(`The Stripe emulator does not support product_data[${unsupported}].`, { param: `product_data[${unsupported}]` });
        }
      }
      const product = billingBuild.product({
        id: data.id,
        created: this.store.now(),
        name: data.name,
        description: null,
        metadata: mergeMetadata({}, data.metadata),
        active: data.active ?? true,
      });
      this.state.products[product.id] = product;
      this.store.publish({ ...this.store.eventBase(request), type: 'product.created', data: { object: snapshot(product) } });
      productId = product.id;
    }
    const price = billingBuild.price({
      created: this.store.now(),
      currency,
      unitAmount: amount,
      product: productId!,
      recurring,
      metadata: mergeMetadata({}, params.metadata),
      nickname: params.nickname ?? null,
      lookupKey: params.lookup_key ?? null,
      active: params.active ?? true,
    });
    this.state.prices[price.id] = price;
    this.store.publish({ ...this.store.eventBase(request), type: 'price.created', data: { object: snapshot(price) } });
    return price;
  }

  listPrices(params: Stripe.PriceListParams): Stripe.Price[] {
    if (params.recurring !== undefined) throw invalidParams('The Stripe emulator does not support recurring on price lists.', { param: 'recurring' });
    return Object.values(this.state.prices).filter(
      (p) =>
        (params.active === undefined || p.active === params.active) &&
        (!params.product || p.product === params.product) &&
        (!params.currency || p.currency === params.currency.toLowerCase()) &&
        (!params.type || p.type === params.type) &&
        (!params.lookup_keys || (p.lookup_key !== null && params.lookup_keys.includes(p.lookup_key))),
    );
  }

  private productName(price: Stripe.Price): string {
    const id = typeof price.product === 'string' ? price.product : price.product.id;
    return this.state.products[id]?.name ?? id;
  }

  /** The price of a Checkout line item: an active price by id, or an inline `price_data` (with `recurring`, `product` or `product_data`). */
  checkoutPrice(item: Stripe.Checkout.SessionCreateParams.LineItem, at: string, now: number): CheckoutPrice {
    for (const unsupported of ['adjustable_quantity', 'tax_rates', 'metadata'] as const) {
      if (item[unsupported] !== undefined) throw invalidParams(`The Stripe emulator does not support ${at}[${unsupported}].`, { param: `${at}[${unsupported}]` });
    }
    if (item.price && item.price_data) throw invalidParams('You may only specify one of these parameters: price, price_data.', { param: `${at}[price_data]` });
    if (item.price) {
      const price = this.price(item.price, `${at}[price]`);
      if (!price.active) throw invalidRequest('The price specified is inactive. This field only accepts active prices.', { param: `${at}[price]` });
      return { price, productName: this.productName(price), newPrice: false, newProduct: null };
    }
    const data = item.price_data;
    if (!data) throw invalidParams('You must specify either `price` or `price_data` for each line item.', { param: at });
    const pd = `${at}[price_data]`;
    const currency = data.currency.toLowerCase();
    if (!MINIMUM_AMOUNTS[currency]) throw invalidParams(`Invalid currency: ${data.currency}.`, { param: `${pd}[currency]` });
    if (data.tax_behavior !== undefined && data.tax_behavior !== 'unspecified') {
      throw invalidParams('The Stripe emulator supports tax_behavior "unspecified" only.', { param: `${pd}[tax_behavior]` });
    }
    if (data.product && data.product_data) throw invalidParams('You may only specify one of these parameters: product, product_data.', { param: `${pd}[product_data]` });
    let product: Stripe.Product | null = null;
    let productId: string;
    let productName: string;
    if (data.product) {
      const existing = this.product(data.product, `${pd}[product]`);
      productId = existing.id;
      productName = existing.name;
    } else {
      const pdata = data.product_data;
      if (!pdata) throw invalidParams(`Missing required param: ${pd}[product_data].`, { code: 'parameter_missing', param: `${pd}[product_data]` });
      for (const unsupported of ['images', 'tax_code', 'tax_details', 'unit_label'] as const) {
        if (pdata[unsupported] !== undefined) {
          throw invalidParams(`The Stripe emulator does not support ${pd}[product_data][${unsupported}].`, { param: `${pd}[product_data][${unsupported}]` });
        }
      }
      product = billingBuild.product({ created: now, name: pdata.name, description: pdata.description ?? null, metadata: mergeMetadata({}, pdata.metadata), active: true });
      productId = product.id;
      productName = pdata.name;
    }
    const unitAmount = data.unit_amount ?? (data.unit_amount_decimal === undefined ? undefined : Number(String(data.unit_amount_decimal)));
    if (unitAmount === undefined) throw invalidParams(`Missing required param: ${pd}[unit_amount].`, { code: 'parameter_missing', param: `${pd}[unit_amount]` });
    if (!Number.isInteger(unitAmount) || unitAmount < 0) {
      throw invalidParams('This value must be greater than or equal to 0.', { code: 'parameter_invalid_integer', param: `${pd}[unit_amount]` });
    }
    const recurring = this.recurrence(data.recurring, `${pd}[recurring]`);
    // an inline price is created with the session; Stripe archives it (it cannot be reused)
    const price = billingBuild.price({ created: now, currency, unitAmount, product: productId, recurring, metadata: {}, nickname: null, lookupKey: null, active: false });
    return { price, productName, newPrice: true, newProduct: product };
  }

  keepCheckoutPrice(resolved: CheckoutPrice): void {
    if (resolved.newProduct) this.state.products[resolved.newProduct.id] = resolved.newProduct;
    // kept as on the wire (and as read back from the data directory): decimal strings, not Decimal objects
    if (resolved.newPrice) this.state.prices[resolved.price.id] = snapshot(resolved.price);
  }

  /** Subscription mode: at least one recurring price, and every recurring price on one interval. */
  checkSubscriptionItems(prices: Stripe.Price[]): void {
    const recurring = prices.filter((p) => p.recurring);
    if (!recurring.length) {
      throw invalidParams('You must provide at least one recurring price in `subscription` mode when using prices.', { param: 'line_items' });
    }
    const [first] = recurring;
    if (recurring.some((p) => p.recurring!.interval !== first.recurring!.interval || p.recurring!.interval_count !== first.recurring!.interval_count)) {
      throw invalidParams('All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.', { param: 'line_items' });
    }
  }

  /** `subscription_data`: the description and metadata of the subscription Checkout creates. */
  checkoutSubscriptionData(data: Stripe.Checkout.SessionCreateParams.SubscriptionData | undefined): { description: string | null; metadata: Stripe.Metadata } {
    if (data) {
      for (const key of Object.keys(data)) {
        if (key !== 'description' && key !== 'metadata') {
          throw invalidParams(`The Stripe emulator does not support subscription_data[${key}] on Checkout Sessions.`, { param: `subscription_data[${key}]` });
        }
      }
    }
    return { description: data?.description ?? null, metadata: mergeMetadata({}, data?.metadata) };
  }

  // ---------------------------------------------------------------- Checkout in subscription mode

  /** A card submitted on a subscription-mode Checkout page: its first payment saves it. */
  payCheckout(session: Stripe.Checkout.Session, card: CardBehaviour, email: string | null): 'success' | 'declined' | 'requires_action' {
    const extras = this.state.sessionExtras[session.id];
    const customerId = idOf(session.customer);
    return this.clocks.within(customerId ? this.customers.clockOf(customerId) : null, () => {
      let intent = extras.paymentIntent ? this.state.paymentIntents[extras.paymentIntent] : undefined;
      if (!intent) {
        intent = this.store.createIntent({
          amount: session.amount_total ?? 0,
          currency: session.currency ?? 'eur',
          metadata: {},
          paymentMethodTypes: ['card'],
          customer: customerId,
          description: 'Subscription creation',
          setupFutureUsage: 'off_session',
        });
        extras.paymentIntent = intent.id;
      }
      const pm = this.customers.newPaymentMethod(card.method, email ?? session.customer_details?.email ?? null, card.offSession);
      extras.paymentMethod = pm.id;
      extras.method = card.method;
      intent.payment_method = pm.id;
      intent.payment_method_types = [card.method.type];
      intent.receipt_email = email;
      const outcome = card.setup;
      switch (outcome.kind) {
        case 'succeed':
          this.completeCheckout(session, intent, outcome);
          return 'success';
        case 'decline':
          this.store.decline(intent, card.method, outcome, true);
          return 'declined';
        case 'requires_action':
          intent.status = 'requires_action';
          intent.next_action = { type: 'redirect_to_url', redirect_to_url: { url: `${this.options.publicUrl()}/c/pay/${session.id}/3ds`, return_url: null } };
          this.store.intentEvent('payment_intent.requires_action', intent);
          return 'requires_action';
        case 'delayed':
          throw invalidRequest('The Stripe emulator takes cards only in subscription mode.');
      }
    });
  }

  /**
   * The first payment succeeded: the customer (created if the session had
   * none), the saved card, the subscription, its first invoice (paid), then
   * `checkout.session.completed` with `subscription` and `invoice`.
   */
  completeCheckout(session: Stripe.Checkout.Session, intent: Stripe.PaymentIntent, outcome: { refundsFail?: boolean; disputes?: boolean } = {}): void {
    const extras = this.state.sessionExtras[session.id];
    const existing = idOf(session.customer);
    this.clocks.within(existing ? this.customers.clockOf(existing) : null, () => {
      const now = this.now();
      const customer = existing ? this.customers.live(existing, 'customer') : this.customers.createFor(session.customer_details?.email ?? null, null);
      session.customer = customer.id;
      intent.customer = customer.id;
      const pm = this.state.paymentMethods[extras.paymentMethod!];
      pm.customer = customer.id;
      this.customers.attached(pm, null);
      const recurring = extras.lineItems.filter((li) => li.price?.recurring);
      const recurrence = recurring[0].price!.recurring!;
      const subscriptionId = newId('sub');
      const periodEnd = addInterval(now, recurrence, 1);
      const items = recurring.map((li) =>
        billingBuild.subscriptionItem({ created: now, price: li.price!, quantity: li.quantity ?? 1, subscription: subscriptionId, periodStart: now, periodEnd }),
      );
      const data = extras.subscriptionData ?? { description: null, metadata: {} };
      const sub = billingBuild.subscription({
        id: subscriptionId,
        created: now,
        currency: session.currency ?? 'eur',
        customer: customer.id,
        items,
        description: data.description,
        metadata: data.metadata,
        testClock: this.customers.clockOf(customer.id),
        defaultPaymentMethod: pm.id,
      });
      this.state.subscriptions[sub.id] = sub;
      this.state.subscriptionExtras[sub.id] = { periods: 1 };
      const oneTime = extras.lineItems.filter((li) => !li.price?.recurring);
      const invoice = this.newInvoice(sub, customer, 'subscription_create', { start: now, end: now }, [
        ...items.map((item) => this.subscriptionLine(item)),
        ...oneTime.map((li) => ({ price: li.price!, quantity: li.quantity ?? 1, subscriptionItem: null, period: { start: now, end: now } })),
      ]);
      sub.latest_invoice = invoice.id;
      this.subscriptionEvent('customer.subscription.created', sub, null);
      this.invoiceEvent('invoice.created', invoice, null);
      this.finalize(invoice);
      this.linkIntent(invoice, intent);
      // paid with the session's payment: attempted, and (as Stripe shows it) attempt_count stays 0
      invoice.attempted = true;
      const charge = this.store.chargeSucceeded(intent, extras.method!, outcome);
      this.markPaid(invoice, charge, null);
      this.scheduleNext(sub);
      session.status = 'complete';
      session.payment_status = 'paid';
      session.url = null;
      session.subscription = sub.id;
      session.invoice = invoice.id;
      this.store.completeSession(session);
      this.store.settleCharge(charge);
    });
  }

  // ---------------------------------------------------------------- subscriptions

  subscription(id: string, param = 'subscription_exposed_id'): Stripe.Subscription {
    const sub = this.state.subscriptions[id];
    if (!sub) throw resourceMissing('subscription', id, param);
    return sub;
  }

  private clockOfSubscription(sub: Stripe.Subscription): string | null {
    return typeof sub.test_clock === 'string' ? sub.test_clock : (sub.test_clock?.id ?? null);
  }

  /** GET /v1/subscriptions: not canceled by default (`status=all`, `ended`, or a status to see others); test clock ones only by customer or test_clock. */
  listSubscriptions(params: Stripe.SubscriptionListParams): Stripe.Subscription[] {
    for (const unsupported of ['automatic_tax', 'collection_method', 'current_period_end', 'current_period_start', 'customer_account', 'plan'] as const) {
      if (params[unsupported] !== undefined) throw invalidParams(`The Stripe emulator does not support ${unsupported} on subscription lists.`, { param: unsupported });
    }
    const status = params.status;
    return Object.values(this.state.subscriptions).filter(
      (s) =>
        (params.customer || params.test_clock ? true : !s.test_clock) &&
        (!params.customer || s.customer === params.customer) &&
        (!params.test_clock || s.test_clock === params.test_clock) &&
        (!params.price || s.items.data.some((i) => i.price.id === params.price)) &&
        (status === 'all' || (status === 'ended' ? ENDED.includes(s.status) : status ? s.status === status : !ENDED.includes(s.status))),
    );
  }

  /** POST /v1/subscriptions/:id: cancel_at, cancel_at_period_end, proration_behavior, metadata, description, default_payment_method, cancellation_details. */
  updateSubscription(id: string, params: Stripe.SubscriptionUpdateParams, request: RequestInfo): Stripe.Subscription {
    const supported = new Set(['cancel_at', 'cancel_at_period_end', 'proration_behavior', 'metadata', 'description', 'default_payment_method', 'cancellation_details', 'expand']);
    for (const key of Object.keys(params)) {
      if (!supported.has(key)) throw invalidParams(`The Stripe emulator does not support ${key} on subscription updates.`, { param: key });
    }
    const sub = this.subscription(id);
    return this.clocks.within(this.clockOfSubscription(sub), () => {
      const now = this.now();
      if (ENDED.includes(sub.status)) {
        const allowed = Object.keys(params).every((k) => k === 'metadata' || k === 'cancellation_details' || k === 'expand');
        if (!allowed) throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.', {});
      }
      if (params.cancel_at !== undefined && params.cancel_at_period_end !== undefined) {
        throw invalidParams('You may only specify one of these parameters: cancel_at, cancel_at_period_end.', { param: 'cancel_at_period_end' });
      }
      const periodEnd = sub.items.data[0].current_period_end;
      let cancelAt: number | null | undefined;
      if (params.cancel_at !== undefined) {
        const value = params.cancel_at;
        if (typeof value === 'string' && value !== '') {
          throw invalidParams(`cancel_at "${value}" needs billing_mode flexible, which the Stripe emulator does not emulate: give a timestamp.`, { param: 'cancel_at' });
        }
        cancelAt = typeof value === 'number' ? value : null;
        if (cancelAt !== null && cancelAt <= now) throw invalidParams('Invalid cancel_at: it must be in the future.', { param: 'cancel_at' });
      }
      if (params.cancel_at_period_end !== undefined) cancelAt = params.cancel_at_period_end ? periodEnd : null;
      if (cancelAt) {
        const atPeriodEnd = this.isPeriodEnd(sub, cancelAt);
        if (!atPeriodEnd && (params.proration_behavior ?? 'create_prorations') !== 'none') {
          throw invalidParams(
            'The Stripe emulator does not emulate prorations: cancel_at must fall at the end of a billing period, or set proration_behavior to none.',
            { param: 'proration_behavior' },
          );
        }
      }
      if (params.default_payment_method !== undefined) {
        const pm = this.customers.paymentMethod(params.default_payment_method, 'default_payment_method');
        if (pm.customer !== sub.customer) {
          throw invalidRequest(`The customer does not have a payment method with the ID ${pm.id}. The payment method must be attached to the customer.`, {
            param: 'default_payment_method',
          });
        }
      }
      const before = snapshot(sub);
      if (cancelAt !== undefined) {
        sub.cancel_at = cancelAt;
        sub.cancel_at_period_end = params.cancel_at_period_end ?? false;
      }
      if (params.metadata !== undefined) sub.metadata = mergeMetadata(sub.metadata, params.metadata);
      if (params.description !== undefined) sub.description = params.description || null;
      if (params.default_payment_method !== undefined) sub.default_payment_method = params.default_payment_method;
      if (params.cancellation_details) this.cancellationDetails(sub, params.cancellation_details);
      this.subscriptionUpdated(sub, before, request);
      if (!ENDED.includes(sub.status)) this.scheduleNext(sub);
      return sub;
    });
  }

  private cancellationDetails(sub: Stripe.Subscription, details: { comment?: Stripe.Emptyable<string>; feedback?: Stripe.Emptyable<Stripe.Subscription.CancellationDetails.Feedback> }) {
    const current = sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null, reason: null };
    sub.cancellation_details = {
      ...current,
      ...(details.comment !== undefined ? { comment: details.comment || null } : {}),
      ...(details.feedback !== undefined ? { feedback: details.feedback || null } : {}),
    };
  }

  /** Whether `time` is the end of one of the subscription's billing periods (so canceling then prorates nothing). */
  private isPeriodEnd(sub: Stripe.Subscription, time: number): boolean {
    const recurrence = sub.items.data[0].price.recurring!;
    for (let n = 1; n < 1200; n += 1) {
      const end = addInterval(sub.billing_cycle_anchor, recurrence, n);
      if (end === time) return true;
      if (end > time) return false;
    }
    return false;
  }

  /** DELETE /v1/subscriptions/:id: ends it now (`customer.subscription.deleted`). */
  cancelSubscription(id: string, params: Stripe.SubscriptionCancelParams, request: RequestInfo): Stripe.Subscription {
    if (params.prorate) {
      throw invalidParams('The Stripe emulator does not emulate prorations: cancel without prorate.', { param: 'prorate' });
    }
    const sub = this.subscription(id);
    if (ENDED.includes(sub.status)) throw invalidRequest(`This subscription is already ${sub.status}.`, {});
    return this.clocks.within(this.clockOfSubscription(sub), () => {
      if (params.cancellation_details) this.cancellationDetails(sub, params.cancellation_details);
      // invoice_now: a final invoice for pending usage and prorations; with licensed prices paid in advance there is none
      this.end(sub, 'cancellation_requested', request);
      return sub;
    });
  }

  /** A deleted customer's subscriptions are canceled at once. */
  cancelAllFor(customerId: string): void {
    for (const sub of Object.values(this.state.subscriptions)) {
      if (sub.customer === customerId && !ENDED.includes(sub.status)) this.end(sub, 'cancellation_requested', null);
    }
  }

  /** Ends a subscription now: no more renewals or retries (its open invoices stay open). */
  private end(sub: Stripe.Subscription, reason: Stripe.Subscription.CancellationDetails.Reason, request: RequestInfo | null): void {
    const now = this.now();
    sub.status = 'canceled';
    sub.canceled_at = now;
    sub.ended_at = now;
    sub.cancellation_details = { ...(sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null }), reason };
    const invoices = new Set(this.invoicesOf(sub.id).map((i) => i.id));
    for (const id of invoices) {
      const invoice = this.state.invoices[id];
      if (invoice.status === 'open') invoice.next_payment_attempt = null;
    }
    this.clocks.cancel((task) => (task.type === 'period_end' ? task.subscriptionId === sub.id : invoices.has(task.invoiceId)));
    this.subscriptionEvent('customer.subscription.deleted', sub, request);
  }

  /** The next period end (or `cancel_at`) of the subscription's timeline. */
  private scheduleNext(sub: Stripe.Subscription): void {
    this.clocks.cancel((task) => task.type === 'period_end' && task.subscriptionId === sub.id);
    const periodEnd = sub.items.data[0].current_period_end;
    const at = sub.cancel_at !== null && sub.cancel_at < periodEnd ? sub.cancel_at : periodEnd;
    this.clocks.schedule(this.clockOfSubscription(sub), at, { type: 'period_end', subscriptionId: sub.id });
  }

  /** At a period end: cancel (cancel_at reached), or renew: the next period starts and its invoice is created (a draft, finalized an hour later). */
  private periodEnd(sub: Stripe.Subscription): void {
    if (ENDED.includes(sub.status) || sub.status === 'incomplete') return;
    const now = this.now();
    if (sub.cancel_at !== null && sub.cancel_at <= now) {
      this.end(sub, 'cancellation_requested', null);
      return;
    }
    const item = sub.items.data[0];
    if (now < item.current_period_end) {
      this.scheduleNext(sub);
      return;
    }
    const before = snapshot(sub);
    const extras = this.state.subscriptionExtras[sub.id];
    extras.periods += 1;
    const previous = { start: item.current_period_start, end: item.current_period_end };
    const nextEnd = addInterval(sub.billing_cycle_anchor, item.price.recurring!, extras.periods);
    for (const i of sub.items.data) {
      i.current_period_start = previous.end;
      i.current_period_end = nextEnd;
    }
    const customer = this.state.customers[String(sub.customer)];
    const invoice = this.newInvoice(sub, customer, 'subscription_cycle', previous, sub.items.data.map((i) => this.subscriptionLine(i)));
    invoice.automatically_finalizes_at = now + FINALIZE_AFTER_S;
    sub.latest_invoice = invoice.id;
    this.subscriptionUpdated(sub, before, null);
    this.invoiceEvent('invoice.created', invoice, null);
    this.clocks.schedule(this.clockOfSubscription(sub), now + FINALIZE_AFTER_S, { type: 'finalize_invoice', invoiceId: invoice.id });
    this.scheduleNext(sub);
  }

  // ---------------------------------------------------------------- invoices

  invoice(id: string, param = 'invoice'): Stripe.Invoice {
    const invoice = this.state.invoices[id];
    if (!invoice) throw resourceMissing('invoice', id, param);
    return invoice;
  }

  private subscriptionIdOf(invoice: Stripe.Invoice): string | null {
    return idOf(invoice.parent?.subscription_details?.subscription ?? null);
  }

  private invoicesOf(subscriptionId: string): Stripe.Invoice[] {
    return Object.values(this.state.invoices).filter((i) => this.subscriptionIdOf(i) === subscriptionId);
  }

  /** GET /v1/invoices: by customer, subscription, status, created; test clock ones only by customer or subscription. */
  listInvoices(params: Stripe.InvoiceListParams): Stripe.Invoice[] {
    for (const unsupported of ['due_date', 'customer_account'] as const) {
      if (params[unsupported] !== undefined) throw invalidParams(`The Stripe emulator does not support ${unsupported} on invoice lists.`, { param: unsupported });
    }
    return Object.values(this.state.invoices).filter(
      (i) =>
        (params.customer || params.subscription ? true : !i.test_clock) &&
        (!params.customer || i.customer === params.customer) &&
        (!params.subscription || this.subscriptionIdOf(i) === params.subscription) &&
        (!params.status || i.status === params.status) &&
        (!params.collection_method || i.collection_method === params.collection_method),
    );
  }

  invoicePayment(id: string, param = 'invoice_payment'): Stripe.InvoicePayment {
    const payment = this.state.invoicePayments[id];
    if (!payment) throw resourceMissing('invoice_payment', id, param);
    return payment;
  }

  /** GET /v1/invoice_payments: by invoice, PaymentIntent and status. */
  listInvoicePayments(params: Stripe.InvoicePaymentListParams): Stripe.InvoicePayment[] {
    if (params.payment && params.payment.type !== 'payment_intent') {
      throw invalidParams('The Stripe emulator records invoice payments by PaymentIntent only.', { param: 'payment[type]' });
    }
    return Object.values(this.state.invoicePayments).filter(
      (p) =>
        (!params.invoice || p.invoice === params.invoice) &&
        (!params.payment?.payment_intent || p.payment.payment_intent === params.payment.payment_intent) &&
        (!params.status || p.status === params.status),
    );
  }

  private subscriptionLine(item: Stripe.SubscriptionItem) {
    return { price: item.price, quantity: item.quantity ?? 1, subscriptionItem: item.id, period: { start: item.current_period_start, end: item.current_period_end } };
  }

  private newInvoice(
    sub: Stripe.Subscription,
    customer: Stripe.Customer,
    reason: Stripe.Invoice.BillingReason,
    period: { start: number; end: number },
    lines: Array<{ price: Stripe.Price; quantity: number; subscriptionItem: string | null; period: { start: number; end: number } }>,
  ): Stripe.Invoice {
    const id = newId('in');
    const invoiceLines = lines.map((line) =>
      billingBuild.invoiceLine({
        invoice: id,
        amount: (line.price.unit_amount ?? 0) * line.quantity,
        currency: sub.currency,
        description: line.subscriptionItem
          ? billingBuild.lineDescription(line.quantity, this.productName(line.price), line.price)
          : this.productName(line.price),
        price: line.price,
        quantity: line.quantity,
        periodStart: line.period.start,
        periodEnd: line.period.end,
        subscription: sub.id,
        subscriptionItem: line.subscriptionItem,
      }),
    );
    const invoice = billingBuild.invoice({
      id,
      created: this.now(),
      customer,
      currency: sub.currency,
      lines: invoiceLines,
      billingReason: reason,
      subscription: sub.id,
      subscriptionMetadata: { ...sub.metadata },
      periodStart: period.start,
      periodEnd: period.end,
      testClock: this.clockOfSubscription(sub),
    });
    this.state.invoices[id] = invoice;
    this.state.invoiceExtras[id] = { paymentIntent: null, invoicePayment: null, automaticFailures: 0 };
    return invoice;
  }

  /** draft → open: its number and hosted page (`invoice.finalized`). */
  private finalize(invoice: Stripe.Invoice): void {
    const customer = this.state.customers[String(invoice.customer)];
    const now = this.now();
    const sequence = customer?.next_invoice_sequence ?? 1;
    if (customer) {
      customer.next_invoice_sequence = sequence + 1;
      customer.currency = invoice.currency;
    }
    invoice.number = `${customer?.invoice_prefix ?? 'EMULATOR'}-${String(sequence).padStart(4, '0')}`;
    invoice.status = 'open';
    invoice.hosted_invoice_url = `${this.options.publicUrl()}/i/${invoice.id}`;
    invoice.status_transitions.finalized_at = now;
    invoice.effective_at = now;
    invoice.automatically_finalizes_at = null;
    invoice.ending_balance = invoice.starting_balance;
    this.invoiceEvent('invoice.finalized', invoice, null);
  }

  /** The invoice's PaymentIntent and its InvoicePayment record. */
  private linkIntent(invoice: Stripe.Invoice, intent: Stripe.PaymentIntent): void {
    const payment = billingBuild.invoicePayment({ created: this.now(), invoice, paymentIntent: intent.id });
    this.state.invoicePayments[payment.id] = payment;
    this.state.invoiceExtras[invoice.id] = { ...this.state.invoiceExtras[invoice.id], paymentIntent: intent.id, invoicePayment: payment.id };
  }

  private intentOf(invoice: Stripe.Invoice, paymentMethod: string | null): Stripe.PaymentIntent {
    const extras = this.state.invoiceExtras[invoice.id];
    if (extras.paymentIntent) return this.state.paymentIntents[extras.paymentIntent];
    const intent = this.store.createIntent({
      amount: invoice.amount_due,
      currency: invoice.currency,
      metadata: {},
      paymentMethodTypes: ['card'],
      customer: String(invoice.customer),
      description: invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
      paymentMethod,
    });
    this.linkIntent(invoice, intent);
    return intent;
  }

  /**
   * One payment attempt of an open invoice. `automatic`: a renewal or Smart
   * Retry, which moves the retry schedule; `manual`: `invoices.pay` or the
   * hosted page, which does not.
   */
  private attempt(
    invoice: Stripe.Invoice,
    mode: 'automatic' | 'manual',
    payment: { pmId: string; method: PaymentMethodUsed; outcome: PaymentOutcome } | null,
    request: RequestInfo | null,
  ): { paid: true } | { paid: false; outcome: PaymentOutcome | null } {
    invoice.attempt_count += 1;
    invoice.attempted = true;
    if (!payment) {
      this.markFailed(invoice, mode, request);
      return { paid: false, outcome: null };
    }
    const intent = this.intentOf(invoice, payment.pmId);
    intent.payment_method = payment.pmId;
    intent.payment_method_types = [payment.method.type];
    const { outcome } = payment;
    if (outcome.kind === 'succeed') {
      const charge = this.store.chargeSucceeded(intent, payment.method, outcome);
      this.markPaid(invoice, charge, request);
      this.store.settleCharge(charge);
      return { paid: true };
    }
    const failure =
      outcome.kind === 'decline'
        ? outcome
        : { code: 'authentication_required', declineCode: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.' };
    this.store.decline(intent, payment.method, failure, true);
    this.markFailed(invoice, mode, request);
    return { paid: false, outcome: { kind: 'decline', ...failure } };
  }

  /** The saved payment method an automatic attempt charges: the subscription's default, else the customer's. */
  private savedPayment(invoice: Stripe.Invoice, pmId?: string): { pmId: string; method: PaymentMethodUsed; outcome: PaymentOutcome } | null {
    const subId = this.subscriptionIdOf(invoice);
    const sub = subId ? this.state.subscriptions[subId] : undefined;
    const customer = this.state.customers[String(invoice.customer)];
    const id = pmId ?? idOf(sub?.default_payment_method ?? null) ?? idOf(customer?.invoice_settings.default_payment_method ?? null);
    const saved = id ? this.customers.offSession(id) : undefined;
    return id && saved ? { pmId: id, ...saved } : null;
  }

  /** Paid: `invoice_payment.paid` → `invoice.paid` → `invoice.payment_succeeded` (not for `paid_out_of_band`); the subscription active again. */
  private markPaid(invoice: Stripe.Invoice, charge: Stripe.Charge | null, request: RequestInfo | null): void {
    const now = this.now();
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.status_transitions.paid_at = now;
    invoice.next_payment_attempt = null;
    invoice.auto_advance = false;
    this.clocks.cancel((task) => task.type === 'retry_invoice' && task.invoiceId === invoice.id);
    const extras = this.state.invoiceExtras[invoice.id];
    const payment = extras.invoicePayment ? this.state.invoicePayments[extras.invoicePayment] : undefined;
    if (charge && payment) {
      payment.status = 'paid';
      payment.amount_paid = invoice.amount_due;
      payment.status_transitions.paid_at = now;
      this.store.publish({ ...this.store.eventBase(request), type: 'invoice_payment.paid', data: { object: snapshot(payment) } });
    }
    this.invoiceEvent('invoice.paid', invoice, request);
    if (charge) this.invoiceEvent('invoice.payment_succeeded', invoice, request);
    const subId = this.subscriptionIdOf(invoice);
    const sub = subId ? this.state.subscriptions[subId] : undefined;
    // the status follows the latest invoice: paying it makes the subscription active again
    if (sub && idOf(sub.latest_invoice) === invoice.id && (sub.status === 'incomplete' || sub.status === 'past_due' || sub.status === 'unpaid')) {
      const before = snapshot(sub);
      sub.status = 'active';
      this.subscriptionUpdated(sub, before, request);
    }
  }

  /**
   * Failed: `invoice.payment_failed` (with `next_payment_attempt` on the Smart
   * Retries schedule for an automatic attempt); the subscription `past_due`;
   * once the retries are exhausted, `unpaid` or canceled as configured.
   */
  private markFailed(invoice: Stripe.Invoice, mode: 'automatic' | 'manual', request: RequestInfo | null): void {
    const extras = this.state.invoiceExtras[invoice.id];
    let exhausted = false;
    const subId = this.subscriptionIdOf(invoice);
    const sub = subId ? this.state.subscriptions[subId] : undefined;
    if (mode === 'automatic') {
      extras.automaticFailures += 1;
      const delay = this.options.retryDelaysS[extras.automaticFailures - 1];
      if (delay !== undefined && sub && !ENDED.includes(sub.status)) {
        invoice.next_payment_attempt = this.now() + delay;
        this.clocks.schedule(this.clockOfSubscription(sub), invoice.next_payment_attempt, { type: 'retry_invoice', invoiceId: invoice.id });
      } else {
        invoice.next_payment_attempt = null;
        exhausted = true;
      }
    }
    this.invoiceEvent('invoice.payment_failed', invoice, request);
    if (!sub || ENDED.includes(sub.status)) return;
    if (sub.status === 'active' && idOf(sub.latest_invoice) === invoice.id) {
      const before = snapshot(sub);
      sub.status = 'past_due';
      this.subscriptionUpdated(sub, before, request);
    }
    if (!exhausted) return;
    if (this.options.statusAfterRetries === 'canceled') this.end(sub, 'payment_failed', null);
    else if (this.options.statusAfterRetries === 'unpaid' && sub.status !== 'unpaid') {
      const before = snapshot(sub);
      sub.status = 'unpaid';
      this.subscriptionUpdated(sub, before, null);
    }
  }

  /** POST /v1/invoices/:id/pay: charges the given or saved payment method now (off-session); a decline is Stripe's card error (402). */
  payInvoice(id: string, params: Stripe.InvoicePayParams, request: RequestInfo): Stripe.Invoice {
    for (const unsupported of ['forgive', 'source', 'mandate'] as const) {
      if (params[unsupported] !== undefined) throw invalidParams(`The Stripe emulator does not support ${unsupported} on invoice payments.`, { param: unsupported });
    }
    const invoice = this.invoice(id);
    const clockId = typeof invoice.test_clock === 'string' ? invoice.test_clock : null;
    return this.clocks.within(clockId, () => {
      if (invoice.status === 'paid') throw invalidRequest('Invoice is already paid', {});
      if (invoice.status === 'void') throw invalidRequest('This invoice has been voided and cannot be paid.', {});
      if (invoice.status === 'draft') this.finalize(invoice);
      if (params.paid_out_of_band) {
        this.markPaid(invoice, null, request);
        return invoice;
      }
      if (params.payment_method) {
        const pm = this.customers.paymentMethod(params.payment_method, 'payment_method');
        if (pm.customer !== invoice.customer) {
          throw invalidRequest(`The PaymentMethod ${pm.id} does not belong to the Customer ${String(invoice.customer)}. Attach it to the customer first.`, {
            param: 'payment_method',
          });
        }
      }
      const payment = this.savedPayment(invoice, params.payment_method);
      if (!payment) {
        throw invalidRequest('This customer has no attached payment source or default payment method. Please consider adding a default payment method.', {});
      }
      const result = this.attempt(invoice, 'manual', payment, request);
      if (!result.paid && result.outcome?.kind === 'decline') {
        throw new EmulatorApiError(402, 'card_error', result.outcome.message, { code: result.outcome.code, decline_code: result.outcome.declineCode });
      }
      return invoice;
    });
  }

  /** The guest pays an open invoice on its hosted page with a card (on-session; the card is not saved). */
  payOnPage(invoiceId: string, card: CardBehaviour, email: string | null): { paid: boolean; message?: string } {
    const invoice = this.invoice(invoiceId);
    if (invoice.status !== 'open') throw invalidRequest(`This invoice is ${invoice.status}.`);
    if (card.outcome.kind === 'requires_action' || card.outcome.kind === 'delayed') {
      throw invalidRequest('The Stripe emulator does not emulate 3-D Secure on the hosted invoice page: use another test card.');
    }
    const clockId = typeof invoice.test_clock === 'string' ? invoice.test_clock : null;
    return this.clocks.within(clockId, () => {
      const pm = this.customers.newPaymentMethod(card.method, email ?? invoice.customer_email, card.offSession);
      const result = this.attempt(invoice, 'manual', { pmId: pm.id, method: card.method, outcome: card.outcome }, null);
      if (result.paid) return { paid: true };
      return { paid: false, message: result.outcome?.kind === 'decline' ? result.outcome.message : 'Your card was declined.' };
    });
  }

  /** What the hosted invoice page describes: its lines. */
  invoiceDescription(invoice: Stripe.Invoice): string {
    return invoice.lines.data.map((l) => l.description ?? '').filter(Boolean).join(', ');
  }

  // ---------------------------------------------------------------- timeline work (ClockWork)

  runTask(task: BillingTask): void {
    switch (task.type) {
      case 'period_end': {
        const sub = this.state.subscriptions[task.subscriptionId];
        if (sub) this.periodEnd(sub);
        return;
      }
      case 'finalize_invoice': {
        const invoice = this.state.invoices[task.invoiceId];
        if (!invoice || invoice.status !== 'draft') return;
        this.finalize(invoice);
        const subId = this.subscriptionIdOf(invoice);
        const sub = subId ? this.state.subscriptions[subId] : undefined;
        // an unpaid subscription keeps invoicing, but Stripe stops attempting payments
        if (sub?.status === 'unpaid') {
          invoice.auto_advance = false;
          return;
        }
        this.attempt(invoice, 'automatic', this.savedPayment(invoice), null);
        return;
      }
      case 'retry_invoice': {
        const invoice = this.state.invoices[task.invoiceId];
        if (invoice?.status === 'open') this.attempt(invoice, 'automatic', this.savedPayment(invoice), null);
        return;
      }
    }
  }

  advanceLimit(clockId: string, frozenTime: number): { limit: number; interval: string } | null {
    let best: { limit: number; interval: string } | null = null;
    for (const sub of Object.values(this.state.subscriptions)) {
      if (sub.test_clock !== clockId || ENDED.includes(sub.status)) continue;
      const recurrence = sub.items.data[0].price.recurring!;
      const limit = addInterval(frozenTime, recurrence, 2);
      if (!best || limit < best.limit) best = { limit, interval: describeInterval(recurrence) };
    }
    return best;
  }

  clockDeleted(clockId: string): void {
    for (const sub of Object.values(this.state.subscriptions)) {
      // the clock's scheduled work goes with the clock (TestClocks.delete)
      if (sub.test_clock === clockId) delete this.state.subscriptions[sub.id];
    }
    for (const invoice of Object.values(this.state.invoices)) if (invoice.test_clock === clockId) delete this.state.invoices[invoice.id];
    for (const customer of Object.values(this.state.customers)) if (customer.test_clock === clockId) this.customers.remove(customer);
  }
}

/** `unit_amount` or `unit_amount_decimal` (a whole number of the currency's smallest unit) of a price. */
function unitAmountParam(unitAmount: number | undefined, decimal: Stripe.Decimal | string | undefined): number {
  const amount = unitAmount ?? (decimal === undefined ? undefined : Number(String(decimal)));
  if (amount === undefined) throw invalidParams('Missing required param: unit_amount.', { code: 'parameter_missing', param: 'unit_amount' });
  if (!Number.isInteger(amount) || amount < 0) {
    throw invalidParams('This value must be greater than or equal to 0.', { code: 'parameter_invalid_integer', param: 'unit_amount' });
  }
  return amount;
}
