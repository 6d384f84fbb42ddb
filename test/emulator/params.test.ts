/**
 * Strict parameters, through the SDK: the emulator refuses what Stripe refuses,
 * with Stripe's codes, `param` names and `doc_url`. `rawRequest` sends what the
 * SDK's types would not let through (a typo, a wrong type).
 */
import Stripe from 'stripe';
import { errorBody, failure, sessionParams, startHarness, type Harness } from './support';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const countSessions = async () => (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;

describe('unknown parameters: 400 parameter_unknown naming the parameter', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a top-level one', { ...sessionParams(), bogus_param: 'x' }, 'bogus_param'],
    ['a typo in a nested one', { ...sessionParams(), payment_intent_data: { metdata: { a: 'b' } } }, 'payment_intent_data[metdata]'],
    [
      'one inside a line item',
      { ...sessionParams(), line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 1000, product_data: { name: 'x', colour: 'red' } } }] },
      'line_items[0][price_data][product_data][colour]',
    ],
  ])('%s', async (_label, params, param) => {
    const before = await countSessions();
    const error = await failure(h.stripe.rawRequest('POST', '/v1/checkout/sessions', params));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param, message: `Received unknown parameter: ${param}` });
    expect(errorBody(error).doc_url).toBe('https://docs.stripe.com/error-codes/parameter-unknown');
    expect(await countSessions()).toBe(before);
  });

  it('on reads too (a query parameter the endpoint does not take)', async () => {
    const error = await failure(h.stripe.rawRequest('GET', '/v1/events?typ=charge.succeeded'));
    expect(error).toMatchObject({ code: 'parameter_unknown', param: 'typ' });
  });
});

describe('missing, wrongly typed and empty parameters', () => {
  it('a missing required nested parameter is parameter_missing with its full name', async () => {
    const error = await failure(
      h.stripe.rawRequest('POST', '/v1/checkout/sessions', {
        ...sessionParams(),
        line_items: [{ quantity: 1, price_data: { unit_amount: 1000, product_data: { name: 'x' } } }],
      }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'line_items[0][price_data][currency]',
      message: 'Missing required param: line_items[0][price_data][currency].',
    });
  });

  it('success_url and line_items are required for a payment session', async () => {
    expect(await failure(h.stripe.checkout.sessions.create(sessionParams({ success_url: undefined })))).toMatchObject({ code: 'parameter_missing', param: 'success_url' });
    expect(await failure(h.stripe.checkout.sessions.create(sessionParams({ line_items: undefined })))).toMatchObject({ code: 'parameter_missing', param: 'line_items' });
  });

  it('a number that is not an integer is parameter_invalid_integer', async () => {
    const params = { ...sessionParams(), line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: '12.5', product_data: { name: 'x' } } }] };
    const error = await failure(h.stripe.rawRequest('POST', '/v1/checkout/sessions', params));
    expect(error).toMatchObject({ code: 'parameter_invalid_integer', param: 'line_items[0][price_data][unit_amount]', message: 'Invalid integer: 12.5' });
    const amount = await failure(h.stripe.rawRequest('POST', '/v1/refunds', { payment_intent: 'pi_x', amount: 'lots' }));
    expect(amount).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
  });

  it('an empty string where a value cannot be unset is parameter_invalid_empty', async () => {
    const error = await failure(h.stripe.rawRequest('POST', '/v1/checkout/sessions', { ...sessionParams(), success_url: '' }));
    expect(error).toMatchObject({ code: 'parameter_invalid_empty', param: 'success_url' });
  });

  it('an empty metadata value unsets it, as Stripe allows', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams({ metadata: { keep: 'yes', drop: '' } }));
    expect(session.metadata).toEqual({ keep: 'yes' });
  });

  it('a value outside an enum names the allowed values', async () => {
    const error = await failure(h.stripe.rawRequest('POST', '/v1/checkout/sessions', { ...sessionParams(), mode: 'donation' }));
    expect(error).toMatchObject({ statusCode: 400, param: 'mode' });
    expect(error.message).toBe('Invalid mode: must be one of payment, setup, or subscription');
    const reason = await failure(h.stripe.rawRequest('POST', '/v1/refunds', { payment_intent: 'pi_x', reason: 'because' }));
    expect(reason).toMatchObject({ param: 'reason' });
    expect(reason.message).toMatch(/duplicate, fraudulent, or requested_by_customer/);
  });

  it('booleans and integers in query strings are coerced as Stripe reads them', async () => {
    const listed = await h.stripe.rawRequest('GET', '/v1/events?limit=2&delivery_success=false');
    expect(listed).toMatchObject({ object: 'list' });
    const bad = await failure(h.stripe.rawRequest('GET', '/v1/events?delivery_success=maybe'));
    expect(bad).toMatchObject({ statusCode: 400, param: 'delivery_success' });
  });
});

describe('amounts', () => {
  it('refuses a session under the currency minimum (€0.50) with amount_too_small', async () => {
    const before = await countSessions();
    const error = await failure(
      h.stripe.checkout.sessions.create(
        sessionParams({ line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 10, product_data: { name: 'Coffee' } } }] }),
      ),
    );
    expect(error).toMatchObject({ statusCode: 400, code: 'amount_too_small' });
    expect(error.message).toBe("The Checkout Session's total amount due must add up to at least €0.50 eur");
    expect(errorBody(error).doc_url).toBe('https://docs.stripe.com/error-codes/amount-too-small');
    expect(await countSessions()).toBe(before);
  });

  it('accepts exactly the minimum', async () => {
    const session = await h.stripe.checkout.sessions.create(
      sessionParams({ line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 50, product_data: { name: 'Coffee' } } }] }),
    );
    expect(session.amount_total).toBe(50);
  });

  it('refuses a refund amount under one cent', async () => {
    expect(await failure(h.stripe.refunds.create({ payment_intent: 'pi_x', amount: 0 }))).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
  });
});

describe("Stripe's param names in errors", () => {
  it.each<[string, () => Promise<unknown>, string, string]>([
    ['a session', () => h.stripe.checkout.sessions.retrieve('cs_test_nope'), 'checkout.session', 'session'],
    ['a PaymentIntent', () => h.stripe.paymentIntents.retrieve('pi_nope'), 'payment_intent', 'intent'],
    ['a charge', () => h.stripe.charges.retrieve('ch_nope'), 'charge', 'charge'],
    ['a refund', () => h.stripe.refunds.retrieve('re_nope'), 'refund', 'refund'],
    ['a dispute', () => h.stripe.disputes.retrieve('dp_nope'), 'dispute', 'dispute'],
    ['an event', () => h.stripe.events.retrieve('evt_nope'), 'event', 'id'],
    ['the PaymentIntent of a refund', () => h.stripe.refunds.create({ payment_intent: 'pi_nope' }), 'payment_intent', 'payment_intent'],
    ['the charge of a refund', () => h.stripe.refunds.create({ charge: 'ch_nope' }), 'charge', 'charge'],
  ])('resource_missing for %s', async (_label, call, kind, param) => {
    const error = await failure(call());
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param });
    expect(error.message).toMatch(new RegExp(`^No such ${kind.replace('.', '\\.')}: '`));
    expect(errorBody(error).doc_url).toBe('https://docs.stripe.com/error-codes/resource-missing');
  });
});
