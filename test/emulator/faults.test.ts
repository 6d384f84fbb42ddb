/**
 * Faults that lose answers: the request is executed (its effect happens and its
 * answer is stored under its idempotency key), then the answer is lost
 * (`lost_answer`) or late (`slow_answer`), so the client sees an unknown
 * outcome; the same key then finds what was done.
 */
import Stripe from 'stripe';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { failure, sessionParams, startHarness, type Harness } from './support';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const sessionCount = async () => (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;

describe('lost_answer', () => {
  it('creates the session, then cuts the connection: the client sees a connection error; the same key returns that session', async () => {
    const before = await sessionCount();
    // times: 2, because the SDK retries a closed connection once by itself (even with maxNetworkRetries 0)
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'lost_answer', times: 2 });
    const lost = await failure(h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'lost-1' }));
    expect(lost).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(await sessionCount()).toBe(before + 1);
    const found = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'lost-1' });
    expect(found.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(await sessionCount()).toBe(before + 1);
  });

  it("once: the SDK's own retry of the closed connection is answered from the stored response", async () => {
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'lost_answer', times: 1 });
    const session = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'lost-2' });
    expect(session.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('a refund whose answer is lost has moved the money', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { card: '4242424242424242' });
    const intent = (await h.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
    h.emulator.faults.inject({ method: 'POST', path: '/v1/refunds', kind: 'lost_answer', times: 2 });
    await expect(h.stripe.refunds.create({ payment_intent: intent, amount: 4000 }, { idempotencyKey: 'lost-refund' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );
    expect((await h.stripe.refunds.list({ payment_intent: intent })).data.map((r) => r.amount)).toEqual([4000]);
    const again = await h.stripe.refunds.create({ payment_intent: intent, amount: 4000 }, { idempotencyKey: 'lost-refund' });
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await h.stripe.charges.retrieve(again.charge as string)).amount_refunded).toBe(4000);
  });
});

describe('slow_answer', () => {
  it('executes, then answers after delayMs: a client timeout sees an unknown outcome, the same key finds the session', async () => {
    const impatient = new Stripe('sk_test_x', { host: '127.0.0.1', port: h.emulator.port, protocol: 'http', maxNetworkRetries: 0, timeout: 150 });
    const before = await sessionCount();
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'slow_answer', delayMs: 2000 });
    const timedOut = await failure(impatient.checkout.sessions.create(sessionParams(), { idempotencyKey: 'slow-1' }));
    expect(timedOut).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(await sessionCount()).toBe(before + 1);
    const found = await impatient.checkout.sessions.create(sessionParams(), { idempotencyKey: 'slow-1' });
    expect(found.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('a patient client gets the answer', async () => {
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'slow_answer', delayMs: 100 });
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    expect(session.status).toBe('open');
  });
});

describe('faults that change nothing', () => {
  it('rate_limit, api_error and timeout do not execute the request', async () => {
    const before = await sessionCount();
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'rate_limit' });
    await expect(h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'f-1' })).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'api_error' });
    await expect(h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'f-1' })).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(await sessionCount()).toBe(before);
    // nothing was stored under the key either
    const session = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'f-1' });
    expect(session.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });
});
