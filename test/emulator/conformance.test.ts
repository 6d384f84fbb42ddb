/**
 * Conformance: every flow the product uses, run through the SDK, and every object
 * and event the emulator returns checked against the JSON Schemas generated from
 * the `stripe` package's types (generated/stripe-objects.schema.json, `npm run
 * emulator:schemas`): required fields present, types and nullability right, enum
 * values the SDK knows, no field the SDK does not declare.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import Stripe from 'stripe';
import { payOnCheckoutPage } from '../support/checkout-browser';
import schemas from './generated/stripe-objects.schema.json';
import { advanceClock, eventually, payOnInvoicePage, sessionParams, startHarness, utc, type Harness } from './support';

const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
ajv.addSchema(schemas, 'stripe-objects');
const validators = new Map<string, ValidateFunction>();
function validatorFor(name: string): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile({ $ref: `stripe-objects#/definitions/${name}` });
    validators.set(name, validate);
  }
  return validate;
}

/** The schema of each kind of object, by its `object` field. */
const OBJECT_SCHEMAS: Record<string, string> = {
  'checkout.session': 'CheckoutSessionObject',
  payment_intent: 'PaymentIntentObject',
  charge: 'ChargeObject',
  refund: 'RefundObject',
  dispute: 'DisputeObject',
  balance_transaction: 'BalanceTransactionObject',
  item: 'LineItemObject',
  customer: 'CustomerObject',
  payment_method: 'PaymentMethodObject',
  product: 'ProductObject',
  price: 'PriceObject',
  subscription: 'SubscriptionObject',
  subscription_item: 'SubscriptionItemObject',
  invoice: 'InvoiceObject',
  line_item: 'InvoiceLineItemObject',
  invoice_payment: 'InvoicePaymentObject',
  'test_helpers.test_clock': 'TestClockObject',
};

/** `charge.refund.updated` → ChargeRefundUpdatedEvent */
const eventSchema = (type: string) =>
  `${type
    .split(/[._]/)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')}Event`;

const checked: Record<string, number> = {};
function conforms(schema: string, value: unknown) {
  const validate = validatorFor(schema);
  // as sent on the wire: the SDK parses decimal strings (a price's unit_amount_decimal) into its Decimal class
  const ok = validate(JSON.parse(JSON.stringify(value)));
  checked[schema] = (checked[schema] ?? 0) + 1;
  expect({ schema, errors: ok ? [] : ajv.errorsText(validate.errors, { separator: '\n' }).split('\n').slice(0, 10) }).toEqual({ schema, errors: [] });
}
const conformsAsObject = (value: { object: string; deleted?: unknown }) =>
  conforms(value.deleted ? (value.object === 'customer' ? 'DeletedCustomerObject' : 'DeletedTestClockObject') : OBJECT_SCHEMAS[value.object], value);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Every flow the product uses, as it calls Stripe. */
async function runFlows() {
  const product = (overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}) =>
    h.stripe.checkout.sessions.create(
      sessionParams({
        currency: 'eur',
        expires_at: h.emulator.clock.now() + 31 * 60, // as the product: 31 min, so the 30-min minimum holds a second later
        metadata: { reservation_id: 'RES-2026-ABCDEF', payment_id: 'p-1', attempt: '1' },
        payment_intent_data: { metadata: { reservation_id: 'RES-2026-ABCDEF', payment_id: 'p-1', attempt: '1' } },
        ...overrides,
      }),
      { idempotencyKey: `conformance-${Math.random()}` },
    );
  const sessions: Stripe.Checkout.Session[] = [];
  for (const pay of [
    { card: '4242424242424242' },
    { card: '4000000000000002' },
    { card: '4000000000003220', threeDS: 'complete' as const },
    { card: '4000002760003184', threeDS: 'fail' as const },
    { iban: 'DE89370400440532013000' },
    { iban: 'DE62370400440532013001' },
    { card: '4000000000005126' },
    { card: '4000000000000259' },
  ]) {
    const session = await product();
    await payOnCheckoutPage(session.url!, { ...pay, email: 'guest@example.com' });
    sessions.push(session);
  }
  const declined = await product();
  await payOnCheckoutPage(declined.url!, { card: '4000000000009995' });
  await h.stripe.checkout.sessions.expire(declined.id);
  await h.stripe.checkout.sessions.expire((await product()).id);
  await eventually(async () => ((await h.stripe.events.list({ type: 'checkout.session.async_payment_*', limit: 10 })).data.length === 2 ? true : undefined));

  const paidIntent = async (i: number) => (await h.stripe.checkout.sessions.retrieve(sessions[i].id)).payment_intent as string;
  await h.stripe.refunds.create({ payment_intent: await paidIntent(0), amount: 5000, reason: 'requested_by_customer', metadata: { refund_id: 'r-1' } });
  await h.stripe.refunds.create({ payment_intent: await paidIntent(0) });
  await h.stripe.refunds.create({ payment_intent: await paidIntent(6), amount: 1000 });
  await eventually(async () => ((await h.stripe.events.list({ type: 'refund.failed' })).data.length ? true : undefined));
  await eventually(async () => ((await h.stripe.events.list({ type: 'refund.updated', limit: 10 })).data.length === 3 ? true : undefined));
  await eventually(async () => ((await h.stripe.disputes.list()).data.length ? true : undefined));
  await runBillingFlows();
}

/** Every Billing flow the product uses: customers, Checkout in subscription mode, renewals on a test clock, failures, retries, the hosted invoice page. */
async function runBillingFlows() {
  const T0 = utc(2027, 9, 1, 10);
  const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: T0, name: 'conformance' });
  const guest = await h.stripe.customers.create({ email: 'guest@example.com', name: 'Guest', phone: '+33612345678', metadata: { guest_id: 'g-1' }, test_clock: clock.id });
  await h.stripe.customers.update(guest.id, { name: 'Guest One' });
  const gone = await h.stripe.customers.create({ email: 'gone@example.com' });
  await h.stripe.customers.del(gone.id);
  const product = await h.stripe.products.create({ name: 'Monthly stay' });
  const price = await h.stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 60_000, recurring: { interval: 'month' } });
  const subscribe = async (customer: string, card: string) => {
    const created = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      line_items: [
        { price: price.id, quantity: 1 },
        { quantity: 1, price_data: { currency: 'eur', unit_amount: 1, product_data: { name: 'Remainder' } } },
      ],
      subscription_data: { metadata: { reservation_id: 'RES-2027-CONFORM' } },
      success_url: 'http://localhost:3000/ok',
    });
    await payOnCheckoutPage(created.url!, { card });
    return (await h.stripe.checkout.sessions.retrieve(created.id)).subscription as string;
  };
  const paying = await subscribe(guest.id, '4242424242424242');
  await h.stripe.subscriptions.update(paying, { cancel_at: utc(2027, 11, 1, 10), proration_behavior: 'none', metadata: { note: 'two installments' } });
  const other = await h.stripe.customers.create({ email: 'other@example.com', test_clock: clock.id });
  const failing = await subscribe(other.id, '4000000000000341');
  // renewals: one paid, one declined (Smart Retry scheduled), then paid on the hosted invoice page
  await advanceClock(h.stripe, clock.id, utc(2027, 10, 1, 12));
  const [open] = (await h.stripe.invoices.list({ subscription: failing, status: 'open' })).data;
  await payOnInvoicePage(open.hosted_invoice_url!, '4242424242424242');
  // the end: the first is canceled by cancel_at, the second at once
  await advanceClock(h.stripe, clock.id, utc(2027, 11, 1, 12));
  await h.stripe.subscriptions.cancel(failing);
  const card = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: other.id });
  await h.stripe.paymentMethods.detach(card.id);
  const spare = await h.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  await h.stripe.testHelpers.testClocks.del(spare.id);
}

describe('every object and event the emulator returns matches the SDK types', () => {
  beforeAll(runFlows, 20_000);

  it('sessions, retrieved, listed and expanded', async () => {
    for await (const session of h.stripe.checkout.sessions.list({ limit: 100, expand: ['data.payment_intent.latest_charge'] })) {
      conformsAsObject(session);
      const full = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items', 'payment_intent'] });
      conformsAsObject(full);
      for (const item of full.line_items!.data) conformsAsObject(item);
    }
    expect(checked.CheckoutSessionObject).toBeGreaterThanOrEqual(20);
  });

  it('PaymentIntents, charges, refunds, disputes and balance transactions', async () => {
    for await (const intent of h.stripe.paymentIntents.list({ limit: 100 })) conformsAsObject(await h.stripe.paymentIntents.retrieve(intent.id));
    for await (const charge of h.stripe.charges.list({ limit: 100, expand: ['data.balance_transaction'] })) {
      conformsAsObject(charge);
      conformsAsObject(await h.stripe.charges.retrieve(charge.id, { expand: ['refunds', 'payment_intent'] }));
      if (charge.balance_transaction && typeof charge.balance_transaction === 'object') conformsAsObject(charge.balance_transaction);
    }
    for await (const refund of h.stripe.refunds.list({ limit: 100 })) {
      conformsAsObject(refund);
      conformsAsObject(await h.stripe.refunds.retrieve(refund.id, { expand: ['charge', 'balance_transaction'] }));
    }
    for await (const dispute of h.stripe.disputes.list({ limit: 100 })) {
      conformsAsObject(dispute);
      for (const txn of dispute.balance_transactions) conformsAsObject(txn);
    }
    expect(checked.PaymentIntentObject).toBeGreaterThanOrEqual(9);
    expect(checked.ChargeObject).toBeGreaterThanOrEqual(10);
    expect(checked.RefundObject).toBeGreaterThanOrEqual(6);
    expect(checked.DisputeObject).toBeGreaterThanOrEqual(1);
  });

  it('customers, payment methods, products, prices, subscriptions, invoices, invoice payments and test clocks', async () => {
    const clocks = (await h.stripe.testHelpers.testClocks.list()).data;
    for (const clock of clocks) conformsAsObject(await h.stripe.testHelpers.testClocks.retrieve(clock.id));
    const customers: Stripe.Customer[] = [];
    for (const clock of clocks) customers.push(...(await h.stripe.customers.list({ test_clock: clock.id })).data);
    customers.push(...(await h.stripe.customers.search({ query: "email~'example.com'", limit: 100 })).data);
    for (const customer of customers) {
      conformsAsObject(customer);
      for (const pm of (await h.stripe.customers.listPaymentMethods(customer.id)).data) conformsAsObject(pm);
      const subscriptions = await h.stripe.subscriptions.list({ customer: customer.id, status: 'all', expand: ['data.latest_invoice', 'data.default_payment_method'] });
      for (const sub of subscriptions.data) {
        conformsAsObject(sub);
        conformsAsObject(sub.latest_invoice as Stripe.Invoice);
        for (const item of sub.items.data) conformsAsObject(item);
      }
      for await (const invoice of h.stripe.invoices.list({ customer: customer.id, expand: ['data.payments'] })) {
        conformsAsObject(invoice);
        for (const payment of invoice.payments!.data) conformsAsObject(payment);
        for (const line of (await h.stripe.invoices.listLineItems(invoice.id)).data) conformsAsObject(line);
      }
    }
    for await (const product of h.stripe.products.list({ limit: 100 })) conformsAsObject(product);
    for await (const price of h.stripe.prices.list({ limit: 100, expand: ['data.product'] })) conformsAsObject(price);
    for await (const payment of h.stripe.invoicePayments.list({ limit: 100 })) conformsAsObject(payment);
    const deleted = (await h.stripe.events.list({ type: 'customer.deleted', limit: 1 })).data[0].data.object as Stripe.Customer;
    conformsAsObject(await h.stripe.customers.retrieve(deleted.id));
    const spare = await h.stripe.testHelpers.testClocks.create({ frozen_time: utc(2027, 1, 1) });
    conformsAsObject(await h.stripe.testHelpers.testClocks.del(spare.id));
    expect(checked.CustomerObject).toBeGreaterThanOrEqual(4);
    expect(checked.SubscriptionObject).toBeGreaterThanOrEqual(2);
    expect(checked.InvoiceObject).toBeGreaterThanOrEqual(8);
    expect(checked.InvoiceLineItemObject).toBeGreaterThanOrEqual(6);
    expect(checked.InvoicePaymentObject).toBeGreaterThanOrEqual(8);
    expect(checked.TestClockObject).toBeGreaterThanOrEqual(1);
    expect(checked.DeletedCustomerObject).toBe(1);
    expect(checked.DeletedTestClockObject).toBe(1);
  });

  it('every event, as its SDK event type', async () => {
    const types = new Set<string>();
    for await (const event of h.stripe.events.list({ limit: 100 })) {
      conforms(eventSchema(event.type), event);
      types.add(event.type);
    }
    expect([...types].sort()).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.failed',
      'charge.pending',
      'charge.refund.updated',
      'charge.refunded',
      'charge.succeeded',
      'charge.updated',
      'checkout.session.async_payment_failed',
      'checkout.session.async_payment_succeeded',
      'checkout.session.completed',
      'checkout.session.expired',
      'customer.created',
      'customer.deleted',
      'customer.subscription.created',
      'customer.subscription.deleted',
      'customer.subscription.updated',
      'customer.updated',
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
      'invoice.payment_failed',
      'invoice.payment_succeeded',
      'invoice_payment.paid',
      'payment_intent.canceled',
      'payment_intent.created',
      'payment_intent.payment_failed',
      'payment_intent.processing',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
      'payment_method.attached',
      'payment_method.detached',
      'price.created',
      'product.created',
      'refund.created',
      'refund.failed',
      'refund.updated',
      'test_helpers.test_clock.advancing',
      'test_helpers.test_clock.created',
      'test_helpers.test_clock.deleted',
      'test_helpers.test_clock.ready',
    ]);
  });

  it('the schemas are strict: an unknown field or a missing one fails', () => {
    const validate = validatorFor('RefundObject');
    expect(validate({ object: 'refund' })).toBe(false);
    expect(validate({ ...({} as object), bogus: 1 })).toBe(false);
  });
});
