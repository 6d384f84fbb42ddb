/**
 * Customers and their saved payment methods, with Stripe's rules and events:
 * `customer.created`, `customer.updated` (previous_attributes naming what
 * changed), `customer.deleted` (after the customer's subscriptions are
 * canceled), `payment_method.attached` / `.detached`; search with Stripe's query
 * language; a customer created with `test_clock` belongs to that clock (its
 * objects are stamped with the clock's frozen time).
 */
import type Stripe from 'stripe';
import * as billingBuild from './billing-objects';
import { EmulatorApiError, invalidParams, invalidRequest, resourceMissing } from './emulator-errors';
import type { EmulatorState } from './emulator-state';
import { snapshot, type EmulatorStore, type PaymentOutcome, type RequestInfo } from './emulator-store';
import { testPaymentMethod } from './hosted-checkout';
import { compileSearch } from './search-query';
import type { PaymentMethodUsed } from './stripe-objects';
import type { TestClocks } from './test-clocks';

/** Stripe's search result page. */
export interface SearchResult<T> {
  object: 'search_result';
  data: T[];
  has_more: boolean;
  next_page: string | null;
  url: string;
}

/** Metadata as Stripe stores it: string values; '' unsets a key, and an empty `metadata` unsets them all. */
export function mergeMetadata(current: Stripe.Metadata, params: Stripe.Emptyable<Stripe.MetadataParam> | undefined): Stripe.Metadata {
  if (params === undefined) return current;
  if (params === '' || params === null) return {};
  const out: Stripe.Metadata = { ...current };
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === '') delete out[key];
    else out[key] = String(value);
  }
  return out;
}

/** The previous values of the top-level fields that differ: an `*.updated` event's `previous_attributes`. */
export function previousAttributes<T extends object>(before: T, after: T): Partial<T> {
  const previous: Partial<T> = {};
  for (const key of Object.keys(after) as Array<keyof T>) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key];
  }
  return previous;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A search page token: the position of the next page (opaque to clients, as Stripe's). */
const pageToken = (offset: number) => `page_${Buffer.from(JSON.stringify({ offset })).toString('base64url')}`;
function pageOffset(page: string | undefined): number {
  if (!page) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(page.replace(/^page_/, ''), 'base64url').toString('utf8')) as { offset: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw invalidParams(`Invalid page: ${page}`, { param: 'page' });
}

export class Customers {
  /** cancels a deleted customer's subscriptions (set by Billing) */
  onDelete: ((customerId: string) => void) | undefined;

  constructor(
    private readonly store: EmulatorStore,
    private readonly clocks: TestClocks,
  ) {}

  private get state(): EmulatorState {
    return this.store.state;
  }

  // ---------------------------------------------------------------- events

  private created(customer: Stripe.Customer, request: RequestInfo | null) {
    this.store.publish({ ...this.store.eventBase(request), type: 'customer.created', data: { object: snapshot(customer) } });
  }

  /** `customer.updated`, when something changed. */
  updated(customer: Stripe.Customer, before: Stripe.Customer, request: RequestInfo | null): void {
    const previous = previousAttributes(before, customer);
    if (!Object.keys(previous).length) return;
    this.store.publish({
      ...this.store.eventBase(request),
      type: 'customer.updated',
      data: { object: snapshot(customer), previous_attributes: snapshot(previous) },
    });
  }

  // ---------------------------------------------------------------- customers

  /** POST /v1/customers */
  create(params: Stripe.CustomerCreateParams, request: RequestInfo): Stripe.Customer {
    for (const unsupported of ['address', 'shipping', 'tax', 'tax_id_data', 'cash_balance', 'source', 'balance', 'business_name', 'individual_name', 'next_invoice_sequence', 'validate'] as const) {
      if (params[unsupported] !== undefined) throw invalidParams(`The Stripe emulator does not support ${unsupported} on customers.`, { param: unsupported });
    }
    if (params.tax_exempt !== undefined && params.tax_exempt !== '' && params.tax_exempt !== 'none') {
      throw invalidParams('The Stripe emulator supports tax_exempt "none" only.', { param: 'tax_exempt' });
    }
    if (params.email !== undefined) this.checkEmail(params.email);
    this.checkInvoiceSettings(params.invoice_settings, 'invoice_settings');
    const clockId = params.test_clock ?? null;
    if (clockId) this.clocks.clock(clockId, 'test_clock');
    if (params.invoice_settings?.default_payment_method && !params.payment_method) {
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${params.invoice_settings.default_payment_method}. The payment method must be attached to the customer.`,
        { param: 'invoice_settings[default_payment_method]' },
      );
    }
    const pending = params.payment_method ? this.attachable(params.payment_method, 'payment_method') : undefined;
    return this.clocks.within(clockId, () => {
      const customer = billingBuild.customer({
        created: this.store.objectNow(),
        email: params.email ?? null,
        name: params.name ?? null,
        phone: params.phone ?? null,
        description: params.description ?? null,
        metadata: mergeMetadata({}, params.metadata),
        testClock: clockId,
        defaultPaymentMethod: null,
      });
      if (params.invoice_prefix) customer.invoice_prefix = params.invoice_prefix;
      if (params.preferred_locales) customer.preferred_locales = params.preferred_locales;
      this.state.customers[customer.id] = customer;
      this.created(customer, request);
      if (pending) {
        const pm = this.attachTo(pending, customer, request);
        if (params.invoice_settings?.default_payment_method) {
          const before = snapshot(customer);
          customer.invoice_settings.default_payment_method = pm.id;
          this.updated(customer, before, request);
        }
      }
      return customer;
    });
  }

  /** A customer Checkout creates (subscription mode, or `customer_creation: always`). */
  createFor(email: string | null, request: RequestInfo | null): Stripe.Customer {
    const customer = billingBuild.customer({
      created: this.store.objectNow(),
      email,
      name: null,
      phone: null,
      description: null,
      metadata: {},
      testClock: null,
      defaultPaymentMethod: null,
    });
    this.state.customers[customer.id] = customer;
    this.created(customer, request);
    return customer;
  }

  private checkEmail(email: string) {
    if (!EMAIL.test(email)) throw invalidRequest(`Invalid email address: ${email}`, { code: 'email_invalid', param: 'email' });
  }

  private checkInvoiceSettings(settings: Stripe.CustomerCreateParams.InvoiceSettings | undefined, at: string) {
    if (!settings) return;
    for (const unsupported of ['custom_fields', 'footer', 'rendering_options'] as const) {
      if (settings[unsupported] !== undefined) {
        throw invalidParams(`The Stripe emulator does not support ${at}[${unsupported}] on customers.`, { param: `${at}[${unsupported}]` });
      }
    }
  }

  /** GET /v1/customers/:id: a deleted customer answers Stripe's deleted stub. */
  retrieve(id: string): Stripe.Customer | Stripe.DeletedCustomer {
    if (this.state.deletedCustomers.includes(id)) return billingBuild.deletedCustomer(id);
    return this.live(id, 'id');
  }

  /** A customer that exists and is not deleted (what every parameter naming a customer needs). */
  live(id: string, param: string): Stripe.Customer {
    const customer = this.state.customers[id];
    if (!customer) throw resourceMissing('customer', id, param);
    return customer;
  }

  /** The test clock a customer belongs to, if any. */
  clockOf(customerId: string): string | null {
    const clock = this.state.customers[customerId]?.test_clock;
    return typeof clock === 'string' ? clock : (clock?.id ?? null);
  }

  /** POST /v1/customers/:id */
  update(id: string, params: Stripe.CustomerUpdateParams, request: RequestInfo): Stripe.Customer {
    for (const unsupported of ['address', 'shipping', 'tax', 'cash_balance', 'source', 'default_source', 'balance', 'business_name', 'individual_name', 'next_invoice_sequence', 'validate'] as const) {
      if (params[unsupported] !== undefined) throw invalidParams(`The Stripe emulator does not support ${unsupported} on customers.`, { param: unsupported });
    }
    if (params.tax_exempt !== undefined && params.tax_exempt !== '' && params.tax_exempt !== 'none') {
      throw invalidParams('The Stripe emulator supports tax_exempt "none" only.', { param: 'tax_exempt' });
    }
    if (params.email !== undefined) this.checkEmail(params.email);
    this.checkInvoiceSettings(params.invoice_settings, 'invoice_settings');
    const customer = this.live(id, 'id');
    const defaultPm = params.invoice_settings?.default_payment_method;
    if (defaultPm) {
      const pm = this.state.paymentMethods[defaultPm];
      if (!pm || pm.customer !== customer.id) {
        throw invalidRequest(`The customer does not have a payment method with the ID ${defaultPm}. The payment method must be attached to the customer.`, {
          param: 'invoice_settings[default_payment_method]',
        });
      }
    }
    const before = snapshot(customer);
    if (params.email !== undefined) customer.email = params.email;
    if (params.name !== undefined) customer.name = params.name;
    if (params.phone !== undefined) customer.phone = params.phone;
    if (params.description !== undefined) customer.description = params.description;
    if (params.invoice_prefix !== undefined) customer.invoice_prefix = params.invoice_prefix;
    if (params.preferred_locales !== undefined) customer.preferred_locales = params.preferred_locales;
    if (defaultPm !== undefined) customer.invoice_settings.default_payment_method = defaultPm || null;
    customer.metadata = mergeMetadata(customer.metadata, params.metadata);
    this.updated(customer, before, request);
    return customer;
  }

  /** DELETE /v1/customers/:id: cancels the customer's subscriptions at once, then `customer.deleted`. */
  delete(id: string, request: RequestInfo): Stripe.DeletedCustomer {
    const customer = this.live(id, 'id');
    this.clocks.within(this.clockOf(id), () => this.onDelete?.(id));
    this.remove(customer);
    this.store.publish({ ...this.store.eventBase(request), type: 'customer.deleted', data: { object: snapshot(customer) } });
    return billingBuild.deletedCustomer(id);
  }

  /** Removes a customer (deleted, or its test clock deleted). */
  remove(customer: Stripe.Customer): void {
    delete this.state.customers[customer.id];
    this.state.deletedCustomers.push(customer.id);
    for (const pm of Object.values(this.state.paymentMethods)) if (pm.customer === customer.id) pm.customer = null;
  }

  /** GET /v1/customers: newest first; customers on a test clock only when listing by `test_clock` (as Stripe's list-all omits them). */
  list(params: Stripe.CustomerListParams): Stripe.Customer[] {
    if (params.test_clock) this.clocks.clock(params.test_clock, 'test_clock');
    return Object.values(this.state.customers).filter(
      (c) =>
        (params.test_clock ? c.test_clock === params.test_clock : !c.test_clock) &&
        (params.email === undefined || c.email === params.email),
    );
  }

  /** GET /v1/customers/search */
  search(params: Stripe.CustomerSearchParams): SearchResult<Stripe.Customer> {
    const limit = params.limit ?? 10;
    if (limit < 1 || limit > 100) {
      throw invalidParams('This value must be less than or equal to 100 and greater than or equal to 1.', { code: 'parameter_invalid_integer', param: 'limit' });
    }
    const matches = compileSearch<Stripe.Customer>(
      'customers',
      params.query,
      {
        created: { kind: 'number' },
        email: { kind: 'text', substring: true },
        metadata: { kind: 'metadata' },
        name: { kind: 'text', substring: true },
        phone: { kind: 'text', substring: true },
      },
      (customer, field) => customer[field as 'created' | 'email' | 'metadata' | 'name' | 'phone'],
    );
    const found = Object.values(this.state.customers).filter(matches).reverse();
    const offset = pageOffset(params.page);
    const data = found.slice(offset, offset + limit);
    const more = offset + limit < found.length;
    return { object: 'search_result', data, has_more: more, next_page: more ? pageToken(offset + limit) : null, url: '/v1/customers/search' };
  }

  // ---------------------------------------------------------------- payment methods

  paymentMethod(id: string, param = 'payment_method'): Stripe.PaymentMethod {
    const pm = this.state.paymentMethods[id];
    if (!pm) throw resourceMissing('payment_method', id, param);
    return pm;
  }

  /** A card or account collected on a hosted page, kept as a PaymentMethod (not attached yet). */
  newPaymentMethod(method: PaymentMethodUsed, email: string | null, offSession: PaymentOutcome): Stripe.PaymentMethod {
    const pm = billingBuild.paymentMethod({ created: this.store.objectNow(), method, email, customer: null });
    this.state.paymentMethods[pm.id] = pm;
    this.state.paymentMethodExtras[pm.id] = { method, offSession };
    return pm;
  }

  /** The PaymentMethod an attach names: an unattached one, or a new one from a test token (`pm_card_visa`, …). */
  private attachable(id: string, param: string): Stripe.PaymentMethod | { token: string } {
    if (this.state.paymentMethods[id]) {
      const pm = this.state.paymentMethods[id];
      if (pm.customer) throw invalidRequest('The payment method you provided has already been attached to a customer.', { param });
      return pm;
    }
    if (!testPaymentMethod(id)) throw resourceMissing('payment_method', id, param);
    return { token: id };
  }

  /** Attaches: a test token's card is checked as Stripe does (a card that declines cannot be attached; 4000 0000 0000 0341 can). */
  private attachTo(pending: Stripe.PaymentMethod | { token: string }, customer: Stripe.Customer, request: RequestInfo | null): Stripe.PaymentMethod {
    let pm: Stripe.PaymentMethod;
    if ('token' in pending) {
      const card = testPaymentMethod(pending.token)!;
      if (card.setup.kind === 'decline') {
        throw new EmulatorApiError(402, 'card_error', card.setup.message, { code: card.setup.code, decline_code: card.setup.declineCode });
      }
      pm = this.newPaymentMethod(card.method, customer.email, card.offSession);
    } else pm = pending;
    pm.customer = customer.id;
    this.attached(pm, request);
    return pm;
  }

  /** `payment_method.attached` for a method just attached (Checkout saves the card this way). */
  attached(pm: Stripe.PaymentMethod, request: RequestInfo | null): void {
    this.store.publish({ ...this.store.eventBase(request), type: 'payment_method.attached', data: { object: snapshot(pm) } });
  }

  /** POST /v1/payment_methods/:id/attach */
  attach(id: string, params: Stripe.PaymentMethodAttachParams, request: RequestInfo): Stripe.PaymentMethod {
    if (params.customer_account !== undefined) throw invalidParams('The Stripe emulator does not support customer_account.', { param: 'customer_account' });
    if (!params.customer) throw invalidParams('Missing required param: customer.', { code: 'parameter_missing', param: 'customer' });
    const pending = this.attachable(id, 'payment_method');
    const customer = this.live(params.customer, 'customer');
    return this.clocks.within(this.clockOf(customer.id), () => this.attachTo(pending, customer, request));
  }

  /** POST /v1/payment_methods/:id/detach: also unsets it as the customer's default. */
  detach(id: string, request: RequestInfo): Stripe.PaymentMethod {
    const pm = this.paymentMethod(id);
    const customerId = typeof pm.customer === 'string' ? pm.customer : null;
    if (!customerId) throw invalidRequest(`The payment method ${id} is not attached to a customer.`, { param: 'payment_method' });
    pm.customer = null;
    this.store.publish({ ...this.store.eventBase(request), type: 'payment_method.detached', data: { object: snapshot(pm) } });
    const customer = this.state.customers[customerId];
    if (customer?.invoice_settings.default_payment_method === id) {
      const before = snapshot(customer);
      customer.invoice_settings.default_payment_method = null;
      this.updated(customer, before, request);
    }
    return pm;
  }

  /** GET /v1/payment_methods?customer=… and GET /v1/customers/:customer/payment_methods */
  listPaymentMethods(customerId: string | undefined, type: string | undefined, param: string): Stripe.PaymentMethod[] {
    if (customerId) this.live(customerId, param);
    return Object.values(this.state.paymentMethods).filter(
      (pm) => pm.customer !== null && (!customerId || pm.customer === customerId) && (!type || pm.type === type),
    );
  }

  /** What a later charge of a saved method does (renewals, Smart Retries, `invoices.pay`). */
  offSession(pmId: string): { method: PaymentMethodUsed; outcome: PaymentOutcome } | undefined {
    const extras = this.state.paymentMethodExtras[pmId];
    return extras ? { method: extras.method, outcome: extras.offSession } : undefined;
  }
}
