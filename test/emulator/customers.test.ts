/**
 * Customers through the SDK: create, retrieve, update, delete, list, and search
 * with Stripe's query language; their events (`customer.updated` naming only
 * what changed); Checkout Sessions for a customer (the session, PaymentIntent
 * and charge carry it), `customer_creation`, and Stripe's errors for a deleted
 * or unknown customer; saved payment methods; test clocks and their deletion.
 */
import Stripe from 'stripe';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { advanceClock, eventsSince, eventually, failure, mark, sessionParams, startHarness, utc, type Harness } from './support';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const typesOf = (events: Stripe.Event[]) => events.map((e) => e.type);

async function searchAll(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const c of h.stripe.customers.search({ query, limit: 2 })) ids.push(c.id);
  return ids;
}

describe('customers', () => {
  it('create, retrieve, update, delete: customer.created → customer.updated (only what changed) → customer.deleted', async () => {
    const before = await mark(h.stripe);
    const created = await h.stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      phone: '+441234567890',
      metadata: { guest_id: 'guest-ada' },
    });
    expect(created).toMatchObject({ object: 'customer', email: 'ada@example.com', name: 'Ada Lovelace', phone: '+441234567890', metadata: { guest_id: 'guest-ada' }, test_clock: null, balance: 0, delinquent: false });
    expect(created.id).toMatch(/^cus_/);
    expect(await h.stripe.customers.retrieve(created.id)).toEqual(JSON.parse(JSON.stringify(created)));

    const updated = await h.stripe.customers.update(created.id, { email: 'ada.l@example.com', metadata: { tier: 'gold' } });
    expect(updated).toMatchObject({ email: 'ada.l@example.com', name: 'Ada Lovelace', metadata: { guest_id: 'guest-ada', tier: 'gold' } });
    await h.stripe.customers.update(created.id, { name: 'Ada Lovelace' }); // unchanged: no event
    const unset = await h.stripe.customers.update(created.id, { metadata: { tier: '' } });
    expect(unset.metadata).toEqual({ guest_id: 'guest-ada' });

    const deleted = await h.stripe.customers.del(created.id);
    expect(deleted).toEqual(expect.objectContaining({ id: created.id, object: 'customer', deleted: true }));
    expect(await h.stripe.customers.retrieve(created.id)).toEqual(expect.objectContaining({ id: created.id, deleted: true }));

    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events)).toEqual(['customer.created', 'customer.updated', 'customer.updated', 'customer.deleted']);
    expect(events[1].data.previous_attributes).toEqual({ email: 'ada@example.com', metadata: { guest_id: 'guest-ada' } });
    expect(events[2].data.previous_attributes).toEqual({ metadata: { guest_id: 'guest-ada', tier: 'gold' } });
    expect(events[3].data.object).toMatchObject({ id: created.id, email: 'ada.l@example.com' });

    expect(await failure(h.stripe.customers.update(created.id, { name: 'x' }))).toMatchObject({ statusCode: 404, code: 'resource_missing', message: `No such customer: '${created.id}'` });
    expect(await failure(h.stripe.customers.del(created.id))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(await failure(h.stripe.customers.retrieve('cus_missing'))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('one idempotency key per guest: concurrent first checkouts create one Customer', async () => {
    const retrying = new Stripe('sk_test_customers', { host: '127.0.0.1', port: h.emulator.port, protocol: 'http', maxNetworkRetries: 3 });
    const before = await mark(h.stripe);
    const created = await Promise.all(
      Array.from({ length: 5 }, () => retrying.customers.create({ email: 'once@example.com', metadata: { guest_id: 'guest-once' } }, { idempotencyKey: 'customer-guest-once' })),
    );
    expect(new Set(created.map((c) => c.id)).size).toBe(1);
    expect(typesOf(await eventsSince(h.stripe, before))).toEqual(['customer.created']);
    const other = await failure(retrying.customers.create({ email: 'twice@example.com' }, { idempotencyKey: 'customer-guest-once' }));
    expect(other).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
  });

  it('refuses what Stripe refuses, and what the emulator does not model', async () => {
    expect(await failure(h.stripe.customers.create({ email: 'not-an-email' }))).toMatchObject({ statusCode: 400, code: 'email_invalid', param: 'email' });
    expect(await failure(h.stripe.rawRequest('POST', '/v1/customers', { emial: 'x@example.com' }))).toMatchObject({ code: 'parameter_unknown', param: 'emial' });
    expect(await failure(h.stripe.customers.create({ test_clock: 'clock_missing' }))).toMatchObject({ statusCode: 404, param: 'test_clock' });
    expect(await failure(h.stripe.customers.create({ balance: 100 }))).toMatchObject({ statusCode: 400, param: 'balance' });
  });

  it('list by email and created, newest first, paged', async () => {
    const a = await h.stripe.customers.create({ email: 'list.me@example.com' });
    const b = await h.stripe.customers.create({ email: 'list.me@example.com' });
    await h.stripe.customers.create({ email: 'someone.else@example.com' });
    const listed = await h.stripe.customers.list({ email: 'list.me@example.com' });
    expect(listed.data.map((c) => c.id)).toEqual([b.id, a.id]);
    const page = await h.stripe.customers.list({ email: 'list.me@example.com', limit: 1 });
    expect(page).toMatchObject({ has_more: true, url: '/v1/customers' });
    expect((await h.stripe.customers.list({ created: { gte: a.created }, limit: 100 })).data.map((c) => c.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });
});

describe('search, with Stripe’s query language and result shape', () => {
  let grace: Stripe.Customer;
  let alan: Stripe.Customer;
  let alan2: Stripe.Customer;
  beforeAll(async () => {
    grace = await h.stripe.customers.create({ email: 'grace@navy.example', name: 'Grace Hopper', metadata: { guest_id: 'g-1', org: 'navy' } });
    alan = await h.stripe.customers.create({ email: 'Alan@Bletchley.example', name: 'Alan Turing', metadata: { guest_id: 'g-2', org: 'gchq' } });
    alan2 = await h.stripe.customers.create({ email: 'alan@bletchley.example', name: 'Alan T.', metadata: { guest_id: 'g-3', org: 'gchq' } });
  });

  it('email: exact match (case-insensitive), a search_result page with next_page', async () => {
    const result = await h.stripe.customers.search({ query: "email:'alan@bletchley.example'", limit: 1 });
    expect(result).toMatchObject({ object: 'search_result', url: '/v1/customers/search', has_more: true });
    expect(result.data.map((c) => c.id)).toEqual([alan2.id]);
    expect(result.next_page).toEqual(expect.any(String));
    const next = await h.stripe.customers.search({ query: "email:'alan@bletchley.example'", limit: 1, page: result.next_page! });
    expect(next).toMatchObject({ has_more: false, next_page: null });
    expect(next.data.map((c) => c.id)).toEqual([alan.id]);
    expect(await searchAll("email:'alan@bletchley.example'")).toEqual([alan2.id, alan.id]);
  });

  it('metadata, AND, OR, negation, substring, numeric comparison', async () => {
    expect(await searchAll("metadata['guest_id']:'g-1'")).toEqual([grace.id]);
    expect(await searchAll('metadata["org"]:"gchq" AND name:\'Alan Turing\'')).toEqual([alan.id]);
    expect(await searchAll("metadata['org']:'gchq' metadata['guest_id']:'g-3'")).toEqual([alan2.id]);
    expect(await searchAll("metadata['guest_id']:'g-1' OR metadata['guest_id']:'g-2'")).toEqual([alan.id, grace.id]);
    expect(await searchAll("metadata['org']:'gchq' AND -email:'alan@bletchley.example'")).toEqual([]);
    expect(await searchAll("email~'bletchley'")).toEqual([alan2.id, alan.id]);
    expect(await searchAll(`created>=${grace.created} AND metadata['org']:'navy'`)).toEqual([grace.id]);
    expect(await searchAll("metadata['none']:null AND email:'grace@navy.example'")).toEqual([grace.id]);
  });

  it('deleted customers are not found; bad queries are Stripe’s 400 on query', async () => {
    const gone = await h.stripe.customers.create({ email: 'gone@example.com' });
    await h.stripe.customers.del(gone.id);
    expect(await searchAll("email:'gone@example.com'")).toEqual([]);
    const mixed = await failure(h.stripe.customers.search({ query: "email:'a@b.c' AND name:'x' OR name:'y'" }));
    expect(mixed).toMatchObject({ statusCode: 400, param: 'query' });
    const field = await failure(h.stripe.customers.search({ query: "colour:'red'" }));
    expect(field.message).toContain("Field 'colour' is an unsupported search field for resource customers");
    expect(await failure(h.stripe.customers.search({ query: 'email:unquoted' }))).toMatchObject({ param: 'query' });
    expect(await failure(h.stripe.customers.search({ query: "email~'ab'" }))).toMatchObject({ param: 'query' });
    expect(await failure(h.stripe.rawRequest('GET', '/v1/customers/search'))).toMatchObject({ code: 'parameter_missing', param: 'query' });
  });
});

describe('Checkout Sessions for a customer', () => {
  it('payment mode: the session, its PaymentIntent and charge carry the customer, whose email prefills the page', async () => {
    const customer = await h.stripe.customers.create({ email: 'payer@example.com', name: 'Payer' });
    const created = await h.stripe.checkout.sessions.create(sessionParams({ customer: customer.id }));
    expect(created).toMatchObject({ customer: customer.id, customer_email: null, customer_creation: 'if_required' });
    await payOnCheckoutPage(created.url!, { card: '4242424242424242' });
    const session = await h.stripe.checkout.sessions.retrieve(created.id, { expand: ['payment_intent.latest_charge'] });
    const intent = session.payment_intent as Stripe.PaymentIntent;
    expect(session).toMatchObject({ customer: customer.id, customer_details: { email: 'payer@example.com' } });
    expect(intent.customer).toBe(customer.id);
    expect((intent.latest_charge as Stripe.Charge).customer).toBe(customer.id);
    expect((await h.stripe.checkout.sessions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([created.id]);
    expect((await h.stripe.charges.list({ customer: customer.id })).data).toHaveLength(1);
  });

  it('customer_creation: always creates the Customer when the session completes', async () => {
    const created = await h.stripe.checkout.sessions.create(sessionParams({ customer_creation: 'always', customer_email: 'fresh@example.com' }));
    const before = await mark(h.stripe);
    await payOnCheckoutPage(created.url!, { card: '4242424242424242' });
    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events)).toEqual(['payment_intent.created', 'customer.created', 'charge.succeeded', 'payment_intent.succeeded', 'checkout.session.completed', 'charge.updated']);
    const session = await h.stripe.checkout.sessions.retrieve(created.id);
    expect(session.customer).toMatch(/^cus_/);
    expect(await h.stripe.customers.retrieve(session.customer as string)).toMatchObject({ email: 'fresh@example.com' });
    expect((events[2].data.object as Stripe.Charge).customer).toBe(session.customer);
  });

  it('a deleted or unknown customer is Stripe’s resource_missing on customer; customer with customer_email is refused', async () => {
    const customer = await h.stripe.customers.create({ email: 'left@example.com' });
    await h.stripe.customers.del(customer.id);
    const deleted = await failure(h.stripe.checkout.sessions.create(sessionParams({ customer: customer.id })));
    expect(deleted).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'customer', message: `No such customer: '${customer.id}'` });
    const unknown = await failure(h.stripe.checkout.sessions.create(sessionParams({ customer: 'cus_nope' })));
    expect(unknown).toMatchObject({ statusCode: 404, param: 'customer' });
    const live = await h.stripe.customers.create({ email: 'here@example.com' });
    const both = await failure(h.stripe.checkout.sessions.create(sessionParams({ customer: live.id, customer_email: 'here@example.com' })));
    expect(both).toMatchObject({ statusCode: 400, param: 'customer_email' });
  });

  it('deleting a customer cancels its subscriptions first', async () => {
    const customer = await h.stripe.customers.create({ email: 'subscriber@example.com' });
    const created = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 5000, recurring: { interval: 'month' }, product_data: { name: 'Plan' } } }],
      success_url: 'http://localhost:3000/ok',
    });
    await payOnCheckoutPage(created.url!, { card: '4242424242424242' });
    const before = await mark(h.stripe);
    await h.stripe.customers.del(customer.id);
    expect(typesOf(await eventsSince(h.stripe, before))).toEqual(['customer.subscription.deleted', 'customer.deleted']);
  });
});

describe('saved payment methods', () => {
  it('attach a test PaymentMethod, make it the default, list, detach', async () => {
    const customer = await h.stripe.customers.create({ email: 'cards@example.com' });
    const before = await mark(h.stripe);
    const pm = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const withDefault = await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    expect(withDefault.invoice_settings.default_payment_method).toBe(pm.id);
    expect((await h.stripe.customers.listPaymentMethods(customer.id)).data.map((p) => p.id)).toEqual([pm.id]);
    expect((await h.stripe.paymentMethods.list({ customer: customer.id, type: 'card' })).data.map((p) => p.id)).toEqual([pm.id]);
    const detached = await h.stripe.paymentMethods.detach(pm.id);
    expect(detached.customer).toBeNull();
    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events)).toEqual(['payment_method.attached', 'customer.updated', 'payment_method.detached', 'customer.updated']);
    expect(events[3].data.previous_attributes).toEqual({ invoice_settings: expect.objectContaining({ default_payment_method: pm.id }) });
    const notMine = await failure(h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } }));
    expect(notMine).toMatchObject({ statusCode: 400, param: 'invoice_settings[default_payment_method]' });
    expect(await failure(h.stripe.paymentMethods.attach('pm_card_nope', { customer: customer.id }))).toMatchObject({ statusCode: 404, param: 'payment_method' });
  });

  it('a customer created with payment_method and invoice_settings[default_payment_method]', async () => {
    const customer = await h.stripe.customers.create({ email: 'ready@example.com', payment_method: 'pm_card_chargeCustomerFail', invoice_settings: { default_payment_method: 'pm_card_chargeCustomerFail' } });
    const [pm] = (await h.stripe.customers.listPaymentMethods(customer.id)).data;
    expect(pm.card?.last4).toBe('0341');
    expect((await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ invoice_settings: { default_payment_method: pm.id } });
  });
});

describe('test clocks', () => {
  it('create, retrieve, list, advance (advancing → ready with their events), delete with its customers', async () => {
    const start = utc(2028, 2, 1);
    const before = await mark(h.stripe);
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: start, name: 'february' });
    expect(clock).toMatchObject({ object: 'test_helpers.test_clock', frozen_time: start, status: 'ready', name: 'february', livemode: false });
    const customer = await h.stripe.customers.create({ email: 'clocked@example.com', test_clock: clock.id });
    expect(customer).toMatchObject({ test_clock: clock.id, created: start });
    expect((await h.stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toContain(clock.id);
    const advancing = await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 3600 });
    expect(advancing).toMatchObject({ status: 'advancing', status_details: { advancing: { target_frozen_time: start + 3600 } } });
    const ready = await advanceClockReady(clock.id);
    expect(ready).toMatchObject({ status: 'ready', frozen_time: start + 3600 });
    await advanceClock(h.stripe, clock.id, start + 7200);
    const deleted = await h.stripe.testHelpers.testClocks.del(clock.id);
    expect(deleted).toEqual(expect.objectContaining({ id: clock.id, deleted: true }));
    expect(await h.stripe.customers.retrieve(customer.id)).toEqual(expect.objectContaining({ deleted: true }));
    expect(await failure(h.stripe.testHelpers.testClocks.retrieve(clock.id))).toMatchObject({ statusCode: 404, param: 'test_clock' });
    expect(typesOf(await eventsSince(h.stripe, before))).toEqual([
      'test_helpers.test_clock.created',
      'customer.created',
      'test_helpers.test_clock.advancing',
      'test_helpers.test_clock.ready',
      'test_helpers.test_clock.advancing',
      'test_helpers.test_clock.ready',
      'test_helpers.test_clock.deleted',
    ]);
  });
});

/** Polls the clock until it is ready (the advance runs after the answer). */
const advanceClockReady = (id: string) =>
  eventually(async () => {
    const clock = await h.stripe.testHelpers.testClocks.retrieve(id);
    return clock.status === 'ready' ? clock : undefined;
  });
