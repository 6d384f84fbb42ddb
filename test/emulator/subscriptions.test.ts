/**
 * Stripe Billing through the SDK: Checkout in subscription mode, renewals
 * moved by a test clock (and by the emulator's own clock), `cancel_at` ending a
 * plan after its last installment, Stripe's event sequences asserted as
 * sequences, products and prices, and the strict parameters of the new endpoints.
 */
import Stripe from 'stripe';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { advanceClock, errorBody, eventsSince, failure, mark, startHarness, utc, type Harness } from './support';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const HOUR = 3600;
const T0 = utc(2027, 1, 15, 12);
const monthsAfter = (months: number, hours = 0) => utc(2027, 1 + months, 15, 12) + hours * HOUR;

/** A monthly plan's Checkout Session, as the product would create it: recurring installment, a one-time remainder on the first invoice. */
function monthlyPlan(customer: string, overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'subscription',
    customer,
    line_items: [
      { quantity: 1, price_data: { currency: 'eur', unit_amount: 100_000, recurring: { interval: 'month', interval_count: 1 }, product_data: { name: 'Long stay, monthly installment' } } },
      { quantity: 1, price_data: { currency: 'eur', unit_amount: 2, product_data: { name: 'Remainder of the total' } } },
    ],
    subscription_data: { metadata: { reservation_id: 'RES-2027-MONTHLY', installments: '3' }, description: 'Apartment 4, 90 nights' },
    metadata: { reservation_id: 'RES-2027-MONTHLY' },
    success_url: 'http://localhost:3000/ok?s={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://localhost:3000/cancel',
    ...overrides,
  };
}

async function clockCustomer(email = 'long.stay@example.com') {
  const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: T0, name: 'monthly plan' });
  const customer = await h.stripe.customers.create({ email, name: 'Long Stay', test_clock: clock.id });
  return { clock, customer };
}

/** Subscribes on the hosted page; returns the completed session and its subscription. */
async function subscribe(customer: string, card = '4242424242424242', overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const created = await h.stripe.checkout.sessions.create(monthlyPlan(customer, overrides));
  const page = await payOnCheckoutPage(created.url!, { card });
  expect(page.status).toBe(303);
  const session = await h.stripe.checkout.sessions.retrieve(created.id);
  const subscription = await h.stripe.subscriptions.retrieve(session.subscription as string);
  return { session, subscription };
}

const typesOf = (events: Stripe.Event[]) => events.map((e) => e.type);

describe('Checkout in subscription mode', () => {
  it('completing the page saves the card, creates the subscription and its paid first invoice, in Stripe’s order', async () => {
    const { clock, customer } = await clockCustomer();
    const created = await h.stripe.checkout.sessions.create(monthlyPlan(customer.id));
    expect(created).toMatchObject({ mode: 'subscription', customer: customer.id, amount_total: 100_002, payment_intent: null, subscription: null, invoice: null });
    const before = await mark(h.stripe);
    await payOnCheckoutPage(created.url!, { card: '4242424242424242' });
    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events)).toEqual([
      'payment_intent.created',
      'payment_method.attached',
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice_payment.paid',
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
      'checkout.session.completed',
      'charge.updated',
    ]);
    const session = await h.stripe.checkout.sessions.retrieve(created.id);
    expect(session).toMatchObject({ status: 'complete', payment_status: 'paid', customer: customer.id, payment_intent: null, url: null });
    const completed = events[11].data.object as Stripe.Checkout.Session;
    expect(completed.subscription).toBe(session.subscription);
    expect(completed.invoice).toBe(session.invoice);

    const subscription = await h.stripe.subscriptions.retrieve(session.subscription as string);
    expect(subscription).toMatchObject({
      status: 'active',
      customer: customer.id,
      test_clock: clock.id,
      start_date: T0,
      billing_cycle_anchor: T0,
      metadata: { reservation_id: 'RES-2027-MONTHLY', installments: '3' },
      description: 'Apartment 4, 90 nights',
      latest_invoice: session.invoice,
      cancel_at: null,
    });
    expect(subscription.items.data).toHaveLength(1);
    expect(subscription.items.data[0]).toMatchObject({ current_period_start: T0, current_period_end: monthsAfter(1), price: { unit_amount: 100_000, recurring: { interval: 'month', interval_count: 1 } } });
    expect((events[2].data.object as Stripe.Subscription).status).toBe('incomplete');
    expect(events[10].data.previous_attributes).toEqual({ status: 'incomplete' });

    // the card is saved on the subscription and attached to the customer
    const pm = await h.stripe.paymentMethods.retrieve(subscription.default_payment_method as string);
    expect(pm).toMatchObject({ customer: customer.id, type: 'card', card: { last4: '4242', brand: 'visa' } });

    // the first invoice: recurring line and the one-time remainder, paid
    const invoice = await h.stripe.invoices.retrieve(session.invoice as string, { expand: ['payments.data.payment.payment_intent'] });
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      amount_due: 100_002,
      amount_paid: 100_002,
      amount_remaining: 0,
      attempted: true,
      attempt_count: 0, // as Stripe shows a first invoice paid by its Checkout Session
      customer: customer.id,
      test_clock: clock.id,
      parent: { type: 'subscription_details', subscription_details: { subscription: subscription.id, metadata: { reservation_id: 'RES-2027-MONTHLY', installments: '3' } } },
    });
    expect(invoice.hosted_invoice_url).toMatch(/\/i\/in_/);
    expect(invoice.lines.data.map((l) => [l.description, l.amount])).toEqual([
      ['1 × Long stay, monthly installment (at €1,000.00 / month)', 100_000],
      ['Remainder of the total', 2],
    ]);
    const payment = invoice.payments!.data[0];
    expect(payment).toMatchObject({ status: 'paid', amount_paid: 100_002, payment: { type: 'payment_intent' } });
    const intent = payment.payment.payment_intent as Stripe.PaymentIntent;
    expect(intent).toMatchObject({ status: 'succeeded', customer: customer.id, amount: 100_002, description: 'Subscription creation', setup_future_usage: 'off_session', created: T0 });
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ customer: customer.id, status: 'succeeded', amount: 100_002, created: T0 });
  });

  it('creates the Customer when the session has none (customer_email prefills it)', async () => {
    const created = await h.stripe.checkout.sessions.create({ ...monthlyPlan('x'), customer: undefined, customer_email: 'new.guest@example.com' });
    const before = await mark(h.stripe);
    await payOnCheckoutPage(created.url!, { card: '4242424242424242' });
    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events).slice(0, 3)).toEqual(['payment_intent.created', 'customer.created', 'payment_method.attached']);
    const session = await h.stripe.checkout.sessions.retrieve(created.id);
    const customer = (await h.stripe.customers.retrieve(session.customer as string)) as Stripe.Customer;
    expect(customer).toMatchObject({ email: 'new.guest@example.com', test_clock: null });
    expect(session.customer_details?.email).toBe('new.guest@example.com');
  });

  it('a declined card keeps the session open and creates no subscription; the next card subscribes', async () => {
    const { customer } = await clockCustomer();
    const created = await h.stripe.checkout.sessions.create(monthlyPlan(customer.id));
    const before = await mark(h.stripe);
    const declined = await payOnCheckoutPage(created.url!, { card: '4000000000000002' });
    expect(declined.status).toBe(402);
    expect(typesOf(await eventsSince(h.stripe, before))).toEqual(['payment_intent.created', 'charge.failed', 'payment_intent.payment_failed']);
    expect(await h.stripe.checkout.sessions.retrieve(created.id)).toMatchObject({ status: 'open', subscription: null });
    expect((await h.stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await payOnCheckoutPage(created.url!, { card: '4242424242424242' })).status).toBe(303);
    const session = await h.stripe.checkout.sessions.retrieve(created.id);
    const invoice = await h.stripe.invoices.retrieve(session.invoice as string, { expand: ['payments'] });
    const intentId = invoice.payments!.data[0].payment.payment_intent as string;
    expect((await h.stripe.charges.list({ payment_intent: intentId })).data.map((c) => c.status).sort()).toEqual(['failed', 'succeeded']);
  });

  it('3-D Secure on the first payment: authenticated, then subscribed', async () => {
    const { customer } = await clockCustomer();
    const created = await h.stripe.checkout.sessions.create(monthlyPlan(customer.id));
    const page = await payOnCheckoutPage(created.url!, { card: '4000002500003155', threeDS: 'complete' });
    expect(page.status).toBe(303);
    const session = await h.stripe.checkout.sessions.retrieve(created.id);
    expect(await h.stripe.subscriptions.retrieve(session.subscription as string)).toMatchObject({ status: 'active' });
  });

  it('refuses what Stripe refuses', async () => {
    const { customer } = await clockCustomer();
    const oneTimeOnly = await failure(
      h.stripe.checkout.sessions.create(monthlyPlan(customer.id, { line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 5000, product_data: { name: 'x' } } }] })),
    );
    expect(oneTimeOnly).toMatchObject({ statusCode: 400, param: 'line_items', message: 'You must provide at least one recurring price in `subscription` mode when using prices.' });
    const recurringInPayment = await failure(h.stripe.checkout.sessions.create(monthlyPlan(customer.id, { mode: 'payment', subscription_data: undefined })));
    expect(recurringInPayment).toMatchObject({ statusCode: 400, param: 'line_items[0][price_data][recurring]' });
    const both = await failure(h.stripe.checkout.sessions.create(monthlyPlan(customer.id, { customer_email: 'a@example.com' })));
    expect(both.message).toBe('You may only specify one of these parameters: customer, customer_email.');
    const creation = await failure(h.stripe.checkout.sessions.create(monthlyPlan(customer.id, { customer: undefined, customer_creation: 'always' })));
    expect(creation).toMatchObject({ param: 'customer_creation', message: '`customer_creation` can only be used in `payment` mode.' });
    const intentData = await failure(h.stripe.checkout.sessions.create(monthlyPlan(customer.id, { payment_intent_data: { metadata: { a: 'b' } } })));
    expect(intentData.param).toBe('payment_intent_data');
    const trial = await failure(h.stripe.checkout.sessions.create(monthlyPlan(customer.id, { subscription_data: { trial_period_days: 7 } })));
    expect(trial).toMatchObject({ param: 'subscription_data[trial_period_days]' });
    const unknown = await failure(h.stripe.checkout.sessions.create(monthlyPlan('cus_missing')));
    expect(unknown).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_missing'" });
    const mixed = await failure(
      h.stripe.checkout.sessions.create(
        monthlyPlan(customer.id, {
          line_items: [
            { quantity: 1, price_data: { currency: 'eur', unit_amount: 5000, recurring: { interval: 'month' }, product_data: { name: 'a' } } },
            { quantity: 1, price_data: { currency: 'eur', unit_amount: 5000, recurring: { interval: 'week' }, product_data: { name: 'b' } } },
          ],
        }),
      ),
    );
    expect(mixed.param).toBe('line_items');
    const sepa = await failure(h.stripe.checkout.sessions.create(monthlyPlan(customer.id, { allowed_payment_method_types: ['sepa_debit'] })));
    expect(sepa.param).toBe('allowed_payment_method_types');
  });
});

describe('a 3-installment plan ended by cancel_at, moved by a test clock', () => {
  it('bills exactly three invoices, renewals in Stripe’s order, and never a fourth', async () => {
    const { clock, customer } = await clockCustomer();
    const { subscription } = await subscribe(customer.id);
    const cancelAt = monthsAfter(3);
    const updated = await h.stripe.subscriptions.update(subscription.id, { cancel_at: cancelAt, proration_behavior: 'none' });
    expect(updated).toMatchObject({ cancel_at: cancelAt, cancel_at_period_end: false, status: 'active' });
    const [updateEvent] = (await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    expect(updateEvent.data.previous_attributes).toEqual({ cancel_at: null });

    // second installment: the period ends, the draft invoice is finalized an hour later and charged
    const before = await mark(h.stripe);
    const ready = await advanceClock(h.stripe, clock.id, monthsAfter(1, 2));
    expect(ready).toMatchObject({ status: 'ready', frozen_time: monthsAfter(1, 2) });
    const renewal = await eventsSince(h.stripe, before);
    expect(typesOf(renewal)).toEqual([
      'test_helpers.test_clock.advancing',
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice_payment.paid',
      'invoice.paid',
      'invoice.payment_succeeded',
      'charge.updated',
      'test_helpers.test_clock.ready',
    ]);
    expect(Object.keys(renewal[1].data.previous_attributes!).sort()).toEqual(['items', 'latest_invoice']);
    const draft = renewal[2].data.object as Stripe.Invoice;
    expect(draft).toMatchObject({ status: 'draft', billing_reason: 'subscription_cycle', created: monthsAfter(1), automatically_finalizes_at: monthsAfter(1, 1), amount_due: 100_000 });
    expect(draft.lines.data[0].period).toEqual({ start: monthsAfter(1), end: monthsAfter(2) });
    expect((renewal[3].data.object as Stripe.Invoice).status_transitions.finalized_at).toBe(monthsAfter(1, 1));

    await advanceClock(h.stripe, clock.id, monthsAfter(2, 2));
    // the end of the third period is cancel_at: the subscription ends, no invoice
    const beforeEnd = await mark(h.stripe);
    await advanceClock(h.stripe, clock.id, monthsAfter(3, 2));
    expect(typesOf(await eventsSince(h.stripe, beforeEnd))).toEqual([
      'test_helpers.test_clock.advancing',
      'customer.subscription.deleted',
      'test_helpers.test_clock.ready',
    ]);
    await advanceClock(h.stripe, clock.id, monthsAfter(6));

    const invoices = await h.stripe.invoices.list({ subscription: subscription.id, limit: 100 });
    expect(invoices.data.map((i) => [i.billing_reason, i.status, i.amount_paid, i.created])).toEqual([
      ['subscription_cycle', 'paid', 100_000, monthsAfter(2)],
      ['subscription_cycle', 'paid', 100_000, monthsAfter(1)],
      ['subscription_create', 'paid', 100_002, T0],
    ]);
    expect(await h.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'canceled',
      canceled_at: cancelAt,
      ended_at: cancelAt,
      cancellation_details: { reason: 'cancellation_requested' },
    });
    const charges = await h.stripe.charges.list({ customer: customer.id, limit: 100 });
    expect(charges.data.filter((c) => c.status === 'succeeded').map((c) => c.amount)).toEqual([100_000, 100_000, 100_002]);
  });

  it('a test clock moves at most two intervals of its shortest subscription at a time, forward only', async () => {
    const { clock, customer } = await clockCustomer();
    await subscribe(customer.id);
    const tooFar = await failure(h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: monthsAfter(2) + 1 }));
    expect(tooFar).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    expect(tooFar.message).toContain('two intervals');
    const back = await failure(h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 - 1 }));
    expect(back).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    expect((await advanceClock(h.stripe, clock.id, monthsAfter(2))).frozen_time).toBe(monthsAfter(2));
  });

  it('cancel_at inside a period needs proration_behavior none (prorations are not emulated); cancel_at_period_end sets cancel_at', async () => {
    const { customer } = await clockCustomer();
    const { subscription } = await subscribe(customer.id);
    const mid = await failure(h.stripe.subscriptions.update(subscription.id, { cancel_at: T0 + 10 * 86_400 }));
    expect(mid).toMatchObject({ statusCode: 400, param: 'proration_behavior' });
    const atEnd = await h.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(atEnd).toMatchObject({ cancel_at_period_end: true, cancel_at: monthsAfter(1) });
    const both = await failure(h.stripe.subscriptions.update(subscription.id, { cancel_at: monthsAfter(2), cancel_at_period_end: false }));
    expect(both.message).toBe('You may only specify one of these parameters: cancel_at, cancel_at_period_end.');
    const cleared = await h.stripe.subscriptions.update(subscription.id, { cancel_at: '' });
    expect(cleared).toMatchObject({ cancel_at: null, cancel_at_period_end: false });
  });
});

describe('subscriptions', () => {
  it('update names only what changed; cancel ends it at once (customer.subscription.deleted); list by customer and status', async () => {
    const { customer } = await clockCustomer();
    const { subscription } = await subscribe(customer.id);
    const before = await mark(h.stripe);
    await h.stripe.subscriptions.update(subscription.id, { metadata: { note: 'vip' } });
    await h.stripe.subscriptions.update(subscription.id, { metadata: { note: 'vip' } }); // nothing changes: no event
    const canceled = await h.stripe.subscriptions.cancel(subscription.id, { invoice_now: true, cancellation_details: { comment: 'guest left early' } });
    expect(canceled).toMatchObject({ status: 'canceled', canceled_at: T0, cancellation_details: { reason: 'cancellation_requested', comment: 'guest left early' } });
    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events)).toEqual(['customer.subscription.updated', 'customer.subscription.deleted']);
    expect(events[0].data.previous_attributes).toEqual({ metadata: { reservation_id: 'RES-2027-MONTHLY', installments: '3' } });
    expect((await h.stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await h.stripe.subscriptions.list({ customer: customer.id, status: 'canceled' })).data.map((s) => s.id)).toEqual([subscription.id]);
    expect((await h.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
    const again = await failure(h.stripe.subscriptions.cancel(subscription.id));
    expect(again.statusCode).toBe(400);
    const prorate = await failure(h.stripe.subscriptions.cancel(subscription.id, { prorate: true }));
    expect(prorate.param).toBe('prorate');
    expect(await failure(h.stripe.subscriptions.retrieve('sub_missing'))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('without a test clock, renewals run on the emulator’s injected clock', async () => {
    const customer = await h.stripe.customers.create({ email: 'no.clock@example.com' });
    const { subscription } = await subscribe(customer.id);
    const start = subscription.start_date;
    expect(Math.abs(start - h.emulator.clock.now())).toBeLessThan(5);
    expect((await h.stripe.invoices.list({ customer: customer.id })).data).toHaveLength(1);
    const end = subscription.items.data[0].current_period_end;
    await h.emulator.clock.advance(end - h.emulator.clock.now() + 2 * HOUR);
    const invoices = (await h.stripe.invoices.list({ customer: customer.id })).data;
    expect(invoices.map((i) => [i.billing_reason, i.status, i.created])).toEqual([
      ['subscription_cycle', 'paid', end],
      ['subscription_create', 'paid', start],
    ]);
    expect((await h.stripe.subscriptions.retrieve(subscription.id)).items.data[0].current_period_start).toBe(end);
  });

  it('lists omit test clock objects unless filtered by their customer, subscription or clock (as Stripe’s list-all)', async () => {
    const { clock, customer } = await clockCustomer('listed@example.com');
    const { subscription } = await subscribe(customer.id);
    const all = async <T extends { id: string }>(pages: AsyncIterable<T>) => {
      const ids: string[] = [];
      for await (const x of pages) ids.push(x.id);
      return ids;
    };
    expect(await all(h.stripe.customers.list({ limit: 100 }))).not.toContain(customer.id);
    expect(await all(h.stripe.customers.list({ test_clock: clock.id }))).toEqual([customer.id]);
    expect(await all(h.stripe.subscriptions.list({ limit: 100 }))).not.toContain(subscription.id);
    expect(await all(h.stripe.subscriptions.list({ test_clock: clock.id }))).toEqual([subscription.id]);
    expect(await all(h.stripe.invoices.list({ limit: 100 }))).not.toContain(subscription.latest_invoice);
    expect(await all(h.stripe.invoices.list({ customer: customer.id }))).toEqual([subscription.latest_invoice]);
  });
});

describe('products and prices', () => {
  it('create, retrieve and list; a price by id in Checkout; product.created and price.created', async () => {
    const before = await mark(h.stripe);
    const product = await h.stripe.products.create({ name: 'Monthly stay', metadata: { kind: 'stay' } });
    const price = await h.stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 90_000, recurring: { interval: 'month' }, lookup_key: 'monthly-stay' });
    const inline = await h.stripe.prices.create({ currency: 'eur', unit_amount: 1500, product_data: { name: 'Cleaning' } });
    expect(typesOf(await eventsSince(h.stripe, before))).toEqual(['product.created', 'price.created', 'product.created', 'price.created']);
    expect(price).toMatchObject({ object: 'price', type: 'recurring', active: true, unit_amount: 90_000, recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' } });
    expect(String(price.unit_amount_decimal)).toBe('90000');
    expect(inline).toMatchObject({ type: 'one_time', recurring: null });
    expect(await h.stripe.products.retrieve(product.id)).toMatchObject({ name: 'Monthly stay', metadata: { kind: 'stay' } });
    expect((await h.stripe.prices.list({ lookup_keys: ['monthly-stay'] })).data.map((p) => p.id)).toEqual([price.id]);
    expect((await h.stripe.prices.list({ product: product.id, type: 'recurring' })).data).toHaveLength(1);

    const customer = await h.stripe.customers.create({ email: 'by.price@example.com' });
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }, { price: inline.id, quantity: 1 }],
      success_url: 'http://localhost:3000/ok',
    });
    expect(session.amount_total).toBe(91_500);
    const items = await h.stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data.map((i) => [(i.price as Stripe.Price).id, i.description])).toEqual([
      [price.id, 'Monthly stay'],
      [inline.id, 'Cleaning'],
    ]);
    expect(await failure(h.stripe.prices.retrieve('price_missing'))).toMatchObject({ statusCode: 404, param: 'price' });
    expect(await failure(h.stripe.prices.create({ currency: 'eur', unit_amount: 100 }))).toMatchObject({ param: 'product' });
  });

  it('strict parameters on the new endpoints', async () => {
    const typo = await failure(h.stripe.rawRequest('POST', '/v1/prices', { currency: 'eur', unit_amount: 100, product_data: { name: 'x' }, recuring: { interval: 'month' } }));
    expect(typo).toMatchObject({ code: 'parameter_unknown', param: 'recuring' });
    const interval = await failure(h.stripe.rawRequest('POST', '/v1/prices', { currency: 'eur', unit_amount: 100, product_data: { name: 'x' }, recurring: { interval: 'fortnight' } }));
    expect(interval).toMatchObject({ param: 'recurring[interval]' });
    const advance = await failure(h.stripe.rawRequest('POST', '/v1/test_helpers/test_clocks/clock_x/advance', {}));
    expect(advance).toMatchObject({ code: 'parameter_missing', param: 'frozen_time' });
    const status = await failure(h.stripe.rawRequest('GET', '/v1/invoices?status=late'));
    expect(status).toMatchObject({ param: 'status' });
    expect(errorBody(status).doc_url).toBeUndefined();
    const cancelAt = await failure(h.stripe.rawRequest('POST', '/v1/subscriptions/sub_x', { cancel_at: 'tomorrow' }));
    expect(cancelAt.param).toBe('cancel_at');
  });
});
