/**
 * The rest of the API, by the SDK: nested `expand` (two levels and more, in
 * lists too), `events.list` filtered by `type`, `types` and `created`, and
 * paging both ways.
 */
import Stripe from 'stripe';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { eventually } from '../support/scenario';
import { failure, sessionParams, startHarness, type Harness } from './support';

let h: Harness;
let paid: Stripe.Checkout.Session;
beforeAll(async () => {
  h = await startHarness();
  const session = await h.stripe.checkout.sessions.create(sessionParams());
  await payOnCheckoutPage(session.url!, { card: '4242424242424242' });
  paid = await h.stripe.checkout.sessions.retrieve(session.id);
});
afterAll(() => h.close());

describe('expand', () => {
  it('two levels: payment_intent.latest_charge', async () => {
    const session = await h.stripe.checkout.sessions.retrieve(paid.id, { expand: ['payment_intent.latest_charge'] });
    const intent = session.payment_intent as Stripe.PaymentIntent;
    expect(intent.object).toBe('payment_intent');
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ object: 'charge', status: 'succeeded', payment_intent: intent.id });
  });

  it('three levels, and an includable field beside it', async () => {
    const session = await h.stripe.checkout.sessions.retrieve(paid.id, {
      expand: ['payment_intent.latest_charge.balance_transaction', 'line_items'],
    });
    const txn = ((session.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    expect(txn).toMatchObject({ object: 'balance_transaction', amount: 15000, type: 'charge' });
    expect(txn.net).toBe(15000 - txn.fee);
    expect(session.line_items?.data).toHaveLength(1);
  });

  it('in lists, through data.', async () => {
    const sessions = await h.stripe.checkout.sessions.list({ payment_intent: paid.payment_intent as string, expand: ['data.payment_intent.latest_charge'] });
    expect(((sessions.data[0].payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge).object).toBe('charge');
  });

  it('on other objects: a refund’s charge and PaymentIntent, a charge’s refunds', async () => {
    const refund = await h.stripe.refunds.create({ payment_intent: paid.payment_intent as string, amount: 100 });
    const expanded = await h.stripe.refunds.retrieve(refund.id, { expand: ['charge', 'payment_intent'] });
    expect((expanded.charge as Stripe.Charge).amount_refunded).toBe(100);
    expect((expanded.payment_intent as Stripe.PaymentIntent).id).toBe(paid.payment_intent);
    const charge = await h.stripe.charges.retrieve(refund.charge as string, { expand: ['refunds'] });
    expect(charge.refunds?.data.map((r) => r.id)).toEqual([refund.id]);
  });

  it('refuses what cannot be expanded, and more than four levels', async () => {
    const pm = await failure(h.stripe.checkout.sessions.retrieve(paid.id, { expand: ['payment_intent.payment_method'] }));
    expect(pm).toMatchObject({ statusCode: 400, param: 'expand' });
    expect(pm.message).toBe('This property cannot be expanded (payment_intent.payment_method).');
    const deep = await failure(h.stripe.checkout.sessions.retrieve(paid.id, { expand: ['a.b.c.d.e'] }));
    expect(deep).toMatchObject({ statusCode: 400, param: 'expand' });
    const nothing = await h.stripe.checkout.sessions.retrieve(paid.id, { expand: ['customer'] });
    expect(nothing.customer).toBeNull();
  });
});

describe('events.list', () => {
  // The refund above is followed by a delayed refund.updated: wait for it, so no event
  // is made while these tests compare one listing with another.
  beforeAll(() =>
    eventually(async () => {
      const updated = await h.stripe.events.list({ type: 'refund.updated' });
      expect(updated.data).toHaveLength(1);
    }));

  it('filters by type, with a wildcard', async () => {
    const charges = await h.stripe.events.list({ type: 'charge.*', limit: 100 });
    expect(new Set(charges.data.map((e) => e.type))).toEqual(new Set(['charge.succeeded', 'charge.updated', 'charge.refunded']));
    const one = await h.stripe.events.list({ type: 'checkout.session.completed' });
    expect(one.data.map((e) => e.type)).toEqual(['checkout.session.completed']);
  });

  it('filters by types (up to 20), and refuses type with types', async () => {
    const listed = await h.stripe.events.list({ types: ['payment_intent.created', 'payment_intent.succeeded'], limit: 100 });
    expect(listed.data.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'payment_intent.created']);
    const both = await failure(h.stripe.events.list({ type: 'charge.succeeded', types: ['charge.updated'] }));
    expect(both).toMatchObject({ statusCode: 400, param: 'types' });
    const many = await failure(h.stripe.events.list({ types: Array.from({ length: 21 }, (_, i) => `x.${i}`) }));
    expect(many).toMatchObject({ statusCode: 400, param: 'types' });
  });

  it('filters by created, exactly or in a range', async () => {
    const all = (await h.stripe.events.list({ limit: 100 })).data;
    const created = all[0].created;
    expect((await h.stripe.events.list({ created, limit: 100 })).data.every((e) => e.created === created)).toBe(true);
    expect((await h.stripe.events.list({ created: { gt: created }, limit: 100 })).data).toEqual([]);
    // (a delayed event, such as refund.updated, may be made meanwhile within the same second: compare what was there)
    const upTo = (await h.stripe.events.list({ created: { lte: created }, limit: 100 })).data;
    expect(upTo.every((e) => e.created <= created)).toBe(true);
    expect(upTo.map((e) => e.id)).toEqual(expect.arrayContaining(all.map((e) => e.id)));
  });

  it('pages with starting_after and ending_before, newest first, with has_more', async () => {
    const all = (await h.stripe.events.list({ limit: 100 })).data.map((e) => e.id);
    expect(all.length).toBeGreaterThan(5);
    const first = await h.stripe.events.list({ limit: 2 });
    expect(first.data.map((e) => e.id)).toEqual(all.slice(0, 2));
    expect(first.has_more).toBe(true);
    const second = await h.stripe.events.list({ limit: 2, starting_after: all[1] });
    expect(second.data.map((e) => e.id)).toEqual(all.slice(2, 4));
    const back = await h.stripe.events.list({ limit: 2, ending_before: all[4] });
    expect(back.data.map((e) => e.id)).toEqual(all.slice(2, 4));
    const walked: string[] = [];
    for await (const e of h.stripe.events.list({ limit: 3 })) walked.push(e.id);
    expect(walked).toEqual(all);
    expect(await failure(h.stripe.events.list({ limit: 101 }))).toMatchObject({ param: 'limit' });
  });
});

describe('other lists', () => {
  it('charges and PaymentIntents by their filters', async () => {
    const charges = await h.stripe.charges.list({ payment_intent: paid.payment_intent as string });
    expect(charges.data).toHaveLength(1);
    const intents = await h.stripe.paymentIntents.list({ limit: 100 });
    expect(intents.data.map((i) => i.id)).toContain(paid.payment_intent);
    const items = await h.stripe.checkout.sessions.listLineItems(paid.id);
    expect(items.data[0]).toMatchObject({ object: 'item', amount_total: 15000 });
  });
});
