import Stripe from 'stripe';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { eventually, failure, sessionParams, startHarness, startReceiver, type Harness } from './support';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const typesOf = async (filter: (e: Stripe.Event) => boolean) =>
  (await h.stripe.events.list({ limit: 100 })).data.filter(filter).map((e) => e.type).reverse();
const about = (id: string) => (e: Stripe.Event) => JSON.stringify(e.data.object).includes(id);

describe('Checkout Sessions', () => {
  it('creates, retrieves (with expand), lists and expires a session', async () => {
    const created = await h.stripe.checkout.sessions.create(sessionParams({ expires_at: Math.floor(Date.now() / 1000) + 3600 }));
    expect(created).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 15000,
      currency: 'eur',
      payment_intent: null,
      client_reference_id: 'RES-2026-ABCDEF',
      metadata: { reservation_id: 'RES-2026-ABCDEF' },
    });
    expect(created.id).toMatch(/^cs_test_/);
    expect(created.url).toBe(`${h.emulator.url}/c/pay/${created.id}`);
    expect(created.lastResponse.requestId).toMatch(/^req_/);

    const fetched = await h.stripe.checkout.sessions.retrieve(created.id, { expand: ['payment_intent', 'line_items'] });
    expect(fetched.id).toBe(created.id);
    expect(fetched.line_items?.data[0]).toMatchObject({ amount_total: 15000, quantity: 1, description: 'Room 12' });

    const open = await h.stripe.checkout.sessions.list({ status: 'open', limit: 100 });
    expect(open.data.map((s) => s.id)).toContain(created.id);

    const expired = await h.stripe.checkout.sessions.expire(created.id);
    expect(expired.status).toBe('expired');
    expect(await typesOf(about(created.id))).toEqual(['checkout.session.expired']);
    await expect(h.stripe.checkout.sessions.expire(created.id)).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it.each<[string, Partial<Stripe.Checkout.SessionCreateParams>, string]>([
    ['expires_at under 30 minutes', { expires_at: Math.floor(Date.now() / 1000) + 600 }, 'expires_at'],
    ['expires_at over 24 hours', { expires_at: Math.floor(Date.now() / 1000) + 25 * 3600 }, 'expires_at'],
    ['no line items', { line_items: [] }, 'line_items'],
    ['an unknown currency', { line_items: [{ quantity: 1, price_data: { currency: 'xyz', unit_amount: 1, product_data: { name: 'x' } } }] }, 'line_items[0][price_data][currency]'],
    ['no success_url', { success_url: undefined }, 'success_url'],
  ])('refuses %s with a 400 naming the param', async (_label, overrides, param) => {
    const error = await failure(h.stripe.checkout.sessions.create(sessionParams(overrides)));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((error as Stripe.errors.StripeError).param).toBe(param);
    expect((error as Stripe.errors.StripeError).requestId).toMatch(/^req_/);
  });

  it('answers an unknown id with 404 resource_missing, and a missing key with 401', async () => {
    const missing = await failure(h.stripe.checkout.sessions.retrieve('cs_test_nope'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const res = await fetch(`${h.emulator.url}/v1/checkout/sessions`);
    expect(res.status).toBe(401);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});

describe('paying on the hosted page', () => {
  it('4242 succeeds: charge, PaymentIntent (with payment_intent_data metadata only) and session, in Stripe order', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    const page = await payOnCheckoutPage(session.url!, { card: '4242 4242 4242 4242', email: 'a@example.com' });
    expect(page).toMatchObject({ status: 303, location: `http://localhost:3000/ok?s=${session.id}` });
    const paid = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid' });
    const intent = paid.payment_intent as Stripe.PaymentIntent;
    expect(intent).toMatchObject({ status: 'succeeded', amount: 15000, amount_received: 15000, metadata: { payment_id: 'p-1' } });
    expect(intent.metadata.reservation_id).toBeUndefined(); // a session's metadata is not copied
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ paid: true, captured: true, amount: 15000, amount_refunded: 0, refunded: false, payment_intent: intent.id });
    const types = await typesOf((e) => about(session.id)(e) || about(intent.id)(e));
    expect(types).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded', 'checkout.session.completed', 'charge.updated']);
  });

  it.each([
    ['4000 0000 0000 0002', 'card_declined', 'generic_decline'],
    ['4000 0000 0000 9995', 'card_declined', 'insufficient_funds'],
  ])('%s is declined (%s/%s): the session stays open and the page shows the error', async (card, code, declineCode) => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    const page = await payOnCheckoutPage(session.url!, { card });
    expect(page.status).toBe(402);
    expect(page.html).toMatch(/role="alert"/);
    const after = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(after.status).toBe('open');
    expect((after.payment_intent as Stripe.PaymentIntent).last_payment_error).toMatchObject({ code, decline_code: declineCode, type: 'card_error' });
    expect(await typesOf(about((after.payment_intent as Stripe.PaymentIntent).id))).toContain('payment_intent.payment_failed');
  });

  it('3220 asks for 3-D Secure; failing it leaves the session open, completing it pays', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    const failed = await payOnCheckoutPage(session.url!, { card: '4000000000003220', threeDS: 'fail' });
    expect(failed.status).toBe(402);
    const intent = await h.stripe.paymentIntents.retrieve((await h.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string);
    expect(intent.last_payment_error?.code).toBe('payment_intent_authentication_failure');
    const ok = await payOnCheckoutPage(session.url!, { card: '4000000000003220', threeDS: 'complete' });
    expect(ok.status).toBe(303);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
  });

  it('the delayed method completes unpaid, then succeeds or fails later', async () => {
    const good = await h.stripe.checkout.sessions.create(sessionParams());
    const bad = await h.stripe.checkout.sessions.create(sessionParams());
    expect((await payOnCheckoutPage(good.url!, { iban: 'DE89370400440532013000' })).status).toBe(303);
    expect((await payOnCheckoutPage(bad.url!, { iban: 'DE62370400440532013001' })).status).toBe(303);
    expect(await h.stripe.checkout.sessions.retrieve(good.id)).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    await eventually(async () => ((await h.stripe.checkout.sessions.retrieve(good.id)).payment_status === 'paid' ? true : undefined));
    await eventually(async () => ((await h.stripe.events.list({ type: 'checkout.session.async_payment_failed' })).data.length ? true : undefined));
    expect((await h.stripe.checkout.sessions.retrieve(bad.id)).payment_status).toBe('unpaid');
    expect(await typesOf(about(good.id))).toEqual(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
    expect(await typesOf(about(bad.id))).toEqual(['checkout.session.completed', 'checkout.session.async_payment_failed']);
  });

  it('a paid or expired session cannot be paid again; cancel goes to cancel_url', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { card: '4242424242424242' });
    const again = await payOnCheckoutPage(session.url!, { card: '4242424242424242' });
    expect(again.status).toBe(409); // the page says the session is complete; no form
    expect(again.html).toMatch(/complete/);
    const other = await h.stripe.checkout.sessions.create(sessionParams());
    const cancel = await fetch(`${other.url}/cancel`, { redirect: 'manual' });
    expect(cancel.headers.get('location')).toBe('http://localhost:3000/cancel');
  });
});

describe('refunds', () => {
  async function paidIntent(card = '4242424242424242') {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { card });
    return (await h.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
  }

  it('partial, then the rest; never more than remains; the charge keeps count', async () => {
    const pi = await paidIntent();
    const part = await h.stripe.refunds.create({ payment_intent: pi, amount: 5000, reason: 'requested_by_customer', metadata: { k: 'v' } });
    expect(part).toMatchObject({ object: 'refund', amount: 5000, status: 'succeeded', payment_intent: pi, metadata: { k: 'v' } });
    expect(part.id).toMatch(/^re_/);
    const over = await failure(h.stripe.refunds.create({ payment_intent: pi, amount: 10001 }));
    expect(over).toMatchObject({ statusCode: 400, param: 'amount' });
    expect(over.message).toMatch(/greater than unrefunded amount/);
    const rest = await h.stripe.refunds.create({ charge: part.charge as string });
    expect(rest.amount).toBe(10000);
    const charge = await h.stripe.charges.retrieve(part.charge as string);
    expect(charge).toMatchObject({ amount_refunded: 15000, refunded: true });
    const done = await failure(h.stripe.refunds.create({ payment_intent: pi }));
    expect(done.code).toBe('charge_already_refunded');
    expect((await h.stripe.refunds.list({ payment_intent: pi })).data.map((r) => r.amount)).toEqual([10000, 5000]);
    const refunded = (await h.stripe.events.list({ type: 'charge.refunded', limit: 100 })).data.find((e) => (e.data.object as Stripe.Charge).id === charge.id);
    expect(refunded).toBeDefined();
    expect(refunded?.data.previous_attributes).toBeUndefined(); // only *.updated events carry it
  });

  it('a refund of card 5126 fails later: refund.failed and the amount is back on the charge', async () => {
    const pi = await paidIntent('4000000000005126');
    const refund = await h.stripe.refunds.create({ payment_intent: pi, amount: 3000 });
    await eventually(async () => ((await h.stripe.refunds.retrieve(refund.id)).status === 'failed' ? true : undefined));
    expect(await h.stripe.refunds.retrieve(refund.id)).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
    expect((await h.stripe.charges.retrieve(refund.charge as string)).amount_refunded).toBe(0);
    expect(await typesOf(about(refund.id))).toEqual(['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated']);
    const failed = (await h.stripe.events.list({ type: 'refund.updated', limit: 100 })).data.find((e) => (e.data.object as Stripe.Refund).id === refund.id);
    expect(failed?.data.previous_attributes).toMatchObject({ status: 'succeeded' });
  });

  it('refuses a refund of a PaymentIntent that has not succeeded', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { card: '4000000000000002' });
    const pi = (await h.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
    await expect(h.stripe.refunds.create({ payment_intent: pi })).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('opens a dispute on a charge', async () => {
    const pi = await paidIntent();
    const charge = (await h.stripe.paymentIntents.retrieve(pi)).latest_charge as string;
    const dispute = h.emulator.openDispute(charge);
    expect(dispute.id).toMatch(/^dp_/);
    expect((await h.stripe.charges.retrieve(charge)).disputed).toBe(true);
    expect(await typesOf(about(dispute.id))).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn']);
  });
});

describe('idempotency keys', () => {
  it('replays the first response for the same key and parameters', async () => {
    const a = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'key-1' });
    const b = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'key-1' });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses the same key with other parameters (idempotency_error)', async () => {
    await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'key-2' });
    const error = await failure(h.stripe.checkout.sessions
      .create(sessionParams({ client_reference_id: 'other' }), { idempotencyKey: 'key-2' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('stores errors raised while executing, and runs sequential requests with one key once', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await h.stripe.checkout.sessions.expire(session.id);
    const first = await failure(h.stripe.checkout.sessions.expire(session.id, {}, { idempotencyKey: 'key-3' }));
    const second = await failure(h.stripe.checkout.sessions.expire(session.id, {}, { idempotencyKey: 'key-3' }));
    expect(second.message).toBe(first.message);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    const before = (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const results: Stripe.Checkout.Session[] = [];
    for (let i = 0; i < 5; i += 1) results.push(await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'key-4' }));
    expect(new Set(results.map((s) => s.id)).size).toBe(1);
    expect((await h.stripe.checkout.sessions.list({ limit: 100 })).data.length).toBe(before + 1);
  });
});

describe('faults', () => {
  it.each([
    ['rate_limit', Stripe.errors.StripeRateLimitError],
    ['api_error', Stripe.errors.StripeAPIError],
  ] as const)('%s is seen by the SDK as %p, and changes nothing', async (kind, errorClass) => {
    const before = (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind });
    await expect(h.stripe.checkout.sessions.create(sessionParams())).rejects.toBeInstanceOf(errorClass);
    expect((await h.stripe.checkout.sessions.list({ limit: 100 })).data.length).toBe(before);
  });

  it('a hang past the SDK timeout is a connection error', async () => {
    const impatient = new Stripe('sk_test_x', { host: '127.0.0.1', port: h.emulator.port, protocol: 'http', maxNetworkRetries: 0, timeout: 200 });
    h.emulator.faults.inject({ path: /^\/v1\/events/, kind: 'timeout', hangMs: 2000 });
    await expect(impatient.events.list()).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
  });
});

describe('clock, events and webhooks', () => {
  it('advancing the clock past expires_at expires the session and fires checkout.session.expired', async () => {
    const own = await startHarness();
    try {
      // a few seconds over the 30-minute minimum, so that a slow machine does not cross it before the request lands
      const session = await own.stripe.checkout.sessions.create(sessionParams({ expires_at: own.emulator.clock.now() + 1810 }));
      await own.emulator.clock.advance(1811);
      expect((await own.stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
      const events = await own.stripe.events.list({ type: 'checkout.session.expired' });
      expect(events.data.map((e) => (e.data.object as Stripe.Checkout.Session).id)).toEqual([session.id]);
    } finally {
      await own.close();
    }
  });

  it('delivers signed events that constructEvent accepts, retrying after a failure', async () => {
    const own = await startHarness();
    const receiver = await startReceiver(own.emulator.webhookSecret, (attempt) => (attempt === 1 ? 500 : 200));
    try {
      own.emulator.addWebhookEndpoint(receiver.url);
      const session = await own.stripe.checkout.sessions.create(sessionParams());
      await own.stripe.checkout.sessions.expire(session.id);
      await own.emulator.webhooks.idle();
      expect(receiver.rejected).toEqual([]);
      expect(receiver.received.map((e) => e.type)).toEqual(['checkout.session.expired', 'checkout.session.expired']);
      expect(own.emulator.webhooks.deliveries.map((d) => [d.attempt, d.status])).toEqual([[1, 500], [2, 200]]);
      const event = await own.stripe.events.retrieve(receiver.received[0].id);
      expect(event).toMatchObject({ object: 'event', type: 'checkout.session.expired', livemode: false });
      const delivered = await own.stripe.events.list({ delivery_success: true });
      expect(delivered.data.map((e) => e.id)).toEqual([event.id]);
      const created = await own.stripe.events.list({ created: { gte: event.created } });
      expect(created.data.map((e) => e.id)).toContain(event.id);
    } finally {
      await receiver.close();
      await own.close();
    }
  });

  it('a signature made with another secret is refused by constructEvent', async () => {
    const own = await startHarness();
    const receiver = await startReceiver('whsec_not_the_one');
    try {
      own.emulator.addWebhookEndpoint(receiver.url);
      const session = await own.stripe.checkout.sessions.create(sessionParams());
      await own.stripe.checkout.sessions.expire(session.id);
      await own.emulator.webhooks.idle();
      expect(receiver.received).toEqual([]);
      expect(receiver.rejected[0]).toMatch(/signature/i);
    } finally {
      await receiver.close();
      await own.close();
    }
  });
});
