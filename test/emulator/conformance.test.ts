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
import { eventually, sessionParams, startHarness, type Harness } from './support';

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
const conformsAsObject = (value: { object: string }) => conforms(OBJECT_SCHEMAS[value.object], value);

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
      'payment_intent.canceled',
      'payment_intent.created',
      'payment_intent.payment_failed',
      'payment_intent.processing',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
      'refund.created',
      'refund.failed',
      'refund.updated',
    ]);
  });

  it('the schemas are strict: an unknown field or a missing one fails', () => {
    const validate = validatorFor('RefundObject');
    expect(validate({ object: 'refund' })).toBe(false);
    expect(validate({ ...({} as object), bogus: 1 })).toBe(false);
  });
});
