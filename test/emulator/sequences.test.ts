/**
 * Stripe's event sequences, asserted as sequences (oldest first), for every flow
 * the product uses; `previous_attributes` only on `*.updated` events, naming what
 * changed; `session.url` null once the session is closed; `pending_webhooks`;
 * `api_version` the SDK's pinned one.
 */
import Stripe from 'stripe';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { eventually, sessionParams, startHarness, startReceiver, type Harness } from './support';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** The newest event id now: events after it are what a step caused. */
async function mark(): Promise<string | undefined> {
  return (await h.stripe.events.list({ limit: 1 })).data[0]?.id;
}

/** Every event since `marker`, oldest first (paging back with `ending_before`, the SDK yields them in that order). */
async function since(marker: string | undefined): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  for await (const e of h.stripe.events.list({ limit: 3, ...(marker ? { ending_before: marker } : {}) })) events.push(e);
  return marker ? events : events.reverse();
}

/** Waits until `count` events happened since `marker`, then returns their types. */
async function typesSince(marker: string | undefined, count: number): Promise<string[]> {
  const events = await eventually(async () => {
    const all = await since(marker);
    return all.length >= count ? all : undefined;
  });
  return events.map((e) => e.type);
}

async function paidIntent(card = '4242424242424242') {
  const session = await h.stripe.checkout.sessions.create(sessionParams());
  await payOnCheckoutPage(session.url!, { card });
  return h.stripe.paymentIntents.retrieve((await h.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string);
}

describe('payments on the hosted page', () => {
  it('card: payment_intent.created → charge.succeeded → payment_intent.succeeded → checkout.session.completed → charge.updated', async () => {
    const before = await mark();
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { card: '4242424242424242' });
    expect(await typesSince(before, 5)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'checkout.session.completed',
      'charge.updated',
    ]);
    const events = await since(before);
    const updated = events[4];
    expect(updated.data.previous_attributes).toEqual({ balance_transaction: null });
    expect((updated.data.object as Stripe.Charge).balance_transaction).toMatch(/^txn_/);
    const completed = events[3].data.object as Stripe.Checkout.Session;
    expect(completed).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
  });

  it('3-D Secure adds payment_intent.requires_action', async () => {
    const before = await mark();
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { card: '4000000000003220', threeDS: 'complete' });
    expect(await typesSince(before, 6)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'charge.succeeded',
      'payment_intent.succeeded',
      'checkout.session.completed',
      'charge.updated',
    ]);
    const requiresAction = (await since(before))[1].data.object as Stripe.PaymentIntent;
    expect(requiresAction.next_action).toMatchObject({ type: 'redirect_to_url', redirect_to_url: { url: `${session.url}/3ds` } });
  });

  it('declines within one session use one PaymentIntent; the next card pays it', async () => {
    const before = await mark();
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { card: '4000000000000002' });
    await payOnCheckoutPage(session.url!, { card: '4000000000009995' });
    await payOnCheckoutPage(session.url!, { card: '4242424242424242' });
    expect(await typesSince(before, 9)).toEqual([
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
      'charge.failed',
      'payment_intent.payment_failed',
      'charge.succeeded',
      'payment_intent.succeeded',
      'checkout.session.completed',
      'charge.updated',
    ]);
    const intents = new Set((await since(before)).map((e) => (e.data.object as { payment_intent?: string; object: string; id: string }).object === 'payment_intent' ? (e.data.object as { id: string }).id : undefined).filter(Boolean));
    expect(intents.size).toBe(1);
  });

  it('delayed method that succeeds: charge.pending while processing, then charge.succeeded and async_payment_succeeded', async () => {
    const before = await mark();
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { iban: 'DE89370400440532013000' });
    expect(await typesSince(before, 8)).toEqual([
      'payment_intent.created',
      'payment_intent.processing',
      'charge.pending',
      'checkout.session.completed',
      'charge.succeeded',
      'payment_intent.succeeded',
      'checkout.session.async_payment_succeeded',
      'charge.updated',
    ]);
    const events = await since(before);
    expect((events[3].data.object as Stripe.Checkout.Session).payment_status).toBe('unpaid');
    expect((events[2].data.object as Stripe.Charge).id).toBe((events[4].data.object as Stripe.Charge).id);
  });

  it('delayed method that fails: charge.pending, then charge.failed, payment_failed and async_payment_failed', async () => {
    const before = await mark();
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { iban: 'DE62370400440532013001' });
    expect(await typesSince(before, 7)).toEqual([
      'payment_intent.created',
      'payment_intent.processing',
      'charge.pending',
      'checkout.session.completed',
      'charge.failed',
      'payment_intent.payment_failed',
      'checkout.session.async_payment_failed',
    ]);
  });
});

describe('expiry', () => {
  it('with a PaymentIntent: payment_intent.canceled, then checkout.session.expired; the url is null', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { card: '4000000000000002' });
    const before = await mark();
    const expired = await h.stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    expect(await typesSince(before, 2)).toEqual(['payment_intent.canceled', 'checkout.session.expired']);
    expect(((await since(before))[0].data.object as Stripe.PaymentIntent).cancellation_reason).toBe('abandoned');
  });

  it('without one: checkout.session.expired alone', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    const before = await mark();
    await h.stripe.checkout.sessions.expire(session.id);
    expect(await typesSince(before, 1)).toEqual(['checkout.session.expired']);
  });
});

describe('refunds', () => {
  it('partial then full: refund.created → charge.refunded → refund.updated, each time', async () => {
    const intent = await paidIntent();
    const before = await mark();
    const part = await h.stripe.refunds.create({ payment_intent: intent.id, amount: 5000 });
    expect(await typesSince(before, 3)).toEqual(['refund.created', 'charge.refunded', 'refund.updated']);
    const partial = await since(before);
    expect((partial[1].data.object as Stripe.Charge)).toMatchObject({ amount_refunded: 5000, refunded: false });
    expect(partial[2].data.previous_attributes).toEqual({ destination_details: { type: 'card', card: { type: 'refund', reference_status: 'pending', reference_type: 'acquirer_reference_number' } } });
    expect((partial[2].data.object as Stripe.Refund).destination_details?.card?.reference_status).toBe('available');

    const middle = await mark();
    await h.stripe.refunds.create({ payment_intent: intent.id });
    expect(await typesSince(middle, 3)).toEqual(['refund.created', 'charge.refunded', 'refund.updated']);
    expect(((await since(middle))[1].data.object as Stripe.Charge)).toMatchObject({ amount_refunded: 15000, refunded: true });
    expect(part.status).toBe('succeeded');
  });

  it('a refund failing later (card 5126): refund.updated, refund.failed, charge.refund.updated', async () => {
    const intent = await paidIntent('4000000000005126');
    const before = await mark();
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id, amount: 3000 });
    expect(await typesSince(before, 5)).toEqual(['refund.created', 'charge.refunded', 'refund.updated', 'refund.failed', 'charge.refund.updated']);
    const events = await since(before);
    expect(events[2].data.previous_attributes).toEqual({ status: 'succeeded' });
    expect(events[4].data.previous_attributes).toEqual({ status: 'succeeded' });
    expect(await h.stripe.refunds.retrieve(refund.id)).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
  });
});

describe('disputes', () => {
  it('card 0259: charge.dispute.created → charge.dispute.funds_withdrawn, and GET /v1/disputes lists it', async () => {
    const before = await mark();
    const intent = await paidIntent('4000000000000259');
    const types = await typesSince(before, 7);
    expect(types.slice(5)).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn']);
    const disputes = await h.stripe.disputes.list({ payment_intent: intent.id });
    expect(disputes.data).toHaveLength(1);
    expect(disputes.data[0]).toMatchObject({ object: 'dispute', charge: intent.latest_charge, status: 'needs_response', reason: 'fraudulent' });
    expect(disputes.data[0].balance_transactions).toHaveLength(1);
    expect(await h.stripe.disputes.retrieve(disputes.data[0].id)).toMatchObject({ id: disputes.data[0].id });
    expect((await h.stripe.charges.retrieve(intent.latest_charge as string)).disputed).toBe(true);
  });
});

describe('every event', () => {
  it('carries previous_attributes only when it is an *.updated event, and the SDK pinned api_version', async () => {
    const all = await since(undefined);
    expect(all.length).toBeGreaterThan(40);
    for (const event of all) {
      expect({ type: event.type, has: event.data.previous_attributes !== undefined }).toEqual({ type: event.type, has: event.type.endsWith('.updated') });
      expect(event.api_version).toBe(Stripe.API_VERSION);
      expect(event.livemode).toBe(false);
    }
  });

  it('pending_webhooks counts the endpoints that have not had it yet', async () => {
    const failing = await startReceiver(h.emulator.webhookSecret, () => 500);
    const working = await startReceiver(h.emulator.webhookSecret);
    const a = h.emulator.addWebhookEndpoint(failing.url);
    const b = h.emulator.addWebhookEndpoint(working.url);
    try {
      const session = await h.stripe.checkout.sessions.create(sessionParams());
      await h.stripe.checkout.sessions.expire(session.id);
      await h.emulator.webhooks.idle();
      const [event] = (await h.stripe.events.list({ type: 'checkout.session.expired', limit: 1 })).data;
      expect(event.pending_webhooks).toBe(1);
      expect(working.received.map((e) => e.id)).toEqual([event.id]);
      expect(working.received[0].pending_webhooks).toBe(2); // as sent: nobody had it yet
      expect((await h.stripe.events.list({ delivery_success: false, limit: 100 })).data.map((e) => e.id)).toContain(event.id);
    } finally {
      h.emulator.removeWebhookEndpoint(a.id);
      h.emulator.removeWebhookEndpoint(b.id);
      await failing.close();
      await working.close();
    }
  });
});
