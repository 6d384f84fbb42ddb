/**
 * Idempotency keys as Stripe keeps them: nothing stored when validation fails,
 * 409 idempotency_key_in_use while the first request runs, replays marked
 * `Idempotent-Replayed: true` with `Original-Request: req_…`, keys forgotten
 * after 24 h of emulator time.
 */
import Stripe from 'stripe';
import { failure, sessionParams, startHarness, type Harness } from './support';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('a request refused by validation stores nothing under its key', () => {
  it('an unknown parameter: the corrected request with the same key runs', async () => {
    const bad = await failure(h.stripe.rawRequest('POST', '/v1/checkout/sessions', { ...sessionParams(), bogus: 1 }, { idempotencyKey: 'v-1' }));
    expect(bad.code).toBe('parameter_unknown');
    const good = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'v-1' });
    expect(good.id).toMatch(/^cs_test_/);
    expect(good.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('an amount under the minimum: the same key then creates the session', async () => {
    const tiny = sessionParams({ line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 10, product_data: { name: 'x' } } }] });
    expect((await failure(h.stripe.checkout.sessions.create(tiny, { idempotencyKey: 'v-2' }))).code).toBe('amount_too_small');
    const session = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'v-2' });
    expect(session.amount_total).toBe(15000);
  });

  it('an error raised while executing is stored and replayed', async () => {
    const first = await failure(h.stripe.refunds.create({ payment_intent: 'pi_missing' }, { idempotencyKey: 'v-3' }));
    const again = await failure(h.stripe.refunds.create({ payment_intent: 'pi_missing' }, { idempotencyKey: 'v-3' }));
    expect(first.code).toBe('resource_missing');
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(again.headers?.['original-request']).toBe(first.requestId);
  });
});

describe('replays', () => {
  it('carry Idempotent-Replayed: true and Original-Request: the first request id', async () => {
    const first = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'r-1' });
    const replay = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'r-1' });
    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(replay.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(replay.lastResponse.requestId).not.toBe(first.lastResponse.requestId);
    expect(first.lastResponse.requestId).toMatch(/^req_/);
  });

  it('the same key on another endpoint, or with other parameters, is an idempotency_error', async () => {
    await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'r-2' });
    const otherParams = await failure(h.stripe.checkout.sessions.create(sessionParams({ client_reference_id: 'other' }), { idempotencyKey: 'r-2' }));
    expect(otherParams).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(otherParams.message).toMatch(/same parameters/);
    const otherEndpoint = await failure(h.stripe.refunds.create({ payment_intent: 'pi_x' }, { idempotencyKey: 'r-2' }));
    expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(otherEndpoint.message).toMatch(/same endpoint/);
  });
});

describe('a concurrent duplicate', () => {
  it('answers 409 idempotency_key_in_use while the first runs; afterwards the key replays the first answer', async () => {
    const before = (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'slow_execution', delayMs: 300 });
    const results = await Promise.allSettled([
      h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'c-1' }),
      h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'c-1' }),
    ]);
    const done = results.filter((r): r is PromiseFulfilledResult<Stripe.Response<Stripe.Checkout.Session>> => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(done).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' });
    expect((await h.stripe.checkout.sessions.list({ limit: 100 })).data.length).toBe(before + 1);
    const replay = await h.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'c-1' });
    expect(replay.id).toBe(done[0].value.id);
    expect(replay.lastResponse.headers['original-request']).toBe(done[0].value.lastResponse.requestId);
  });

  it('the SDK retries a 409 with the same key and gets the first answer', async () => {
    const patient = new Stripe('sk_test_x', { host: '127.0.0.1', port: h.emulator.port, protocol: 'http', maxNetworkRetries: 3 });
    h.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'slow_execution', delayMs: 300 });
    const [a, b] = await Promise.all([
      patient.checkout.sessions.create(sessionParams(), { idempotencyKey: 'c-2' }),
      patient.checkout.sessions.create(sessionParams(), { idempotencyKey: 'c-2' }),
    ]);
    expect(a.id).toBe(b.id);
  });
});

describe('keys expire after 24 h of emulator time', () => {
  it('a key reused after 24 h runs as a new request', async () => {
    const own = await startHarness();
    try {
      const first = await own.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'ttl' });
      await own.emulator.clock.advance(23 * 3600);
      expect((await own.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'ttl' })).id).toBe(first.id);
      await own.emulator.clock.advance(3600);
      const later = await own.stripe.checkout.sessions.create(sessionParams({ client_reference_id: 'new' }), { idempotencyKey: 'ttl' });
      expect(later.id).not.toBe(first.id);
      expect(later.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    } finally {
      await own.close();
    }
  });
});
