/**
 * Failed renewals through the SDK, moved by test clocks: card 4000 0000 0000
 * 0341 (its first payment on Checkout succeeds, later charges are declined),
 * Smart Retries on the configured schedule, a retry paid after the card is
 * replaced, the subscription's status once the retries are exhausted (each
 * setting), paying an open invoice on its hosted page and with `invoices.pay`,
 * and refunds of invoice charges.
 */
import Stripe from 'stripe';
import type { StripeEmulatorOptions } from '../../src/emulator';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { advanceClock, eventsSince, failure, mark, payOnInvoicePage, startHarness, utc, type Harness } from './support';

const HOUR = 3600;
const DAY = 86_400;
const T0 = utc(2027, 3, 10, 9);
const RENEWAL = utc(2027, 4, 10, 9);
/** a short schedule for the tests: retries 1 and 3 days after the failed renewal */
const RETRIES: StripeEmulatorOptions = { invoiceRetryDelaysMs: [DAY * 1000, 2 * DAY * 1000] };

const typesOf = (events: Stripe.Event[]) => events.map((e) => e.type);

async function subscribed(h: Harness, card: string) {
  const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await h.stripe.customers.create({ email: 'renewal@example.com', test_clock: clock.id });
  const created = await h.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 80_000, recurring: { interval: 'month' }, product_data: { name: 'Monthly installment' } } }],
    subscription_data: { metadata: { reservation_id: 'RES-2027-RENEWAL' } },
    success_url: 'http://localhost:3000/ok',
  });
  expect((await payOnCheckoutPage(created.url!, { card })).status).toBe(303);
  const session = await h.stripe.checkout.sessions.retrieve(created.id);
  return { clock, customer, subscription: await h.stripe.subscriptions.retrieve(session.subscription as string) };
}

/** The renewal's invoice once the clock passed its finalization (an hour after the period end). */
async function failedRenewal(h: Harness) {
  const setup = await subscribed(h, '4000000000000341');
  const before = await mark(h.stripe);
  await advanceClock(h.stripe, setup.clock.id, RENEWAL + 2 * HOUR);
  const events = await eventsSince(h.stripe, before);
  const invoice = (await h.stripe.invoices.list({ subscription: setup.subscription.id, status: 'open' })).data[0];
  return { ...setup, invoice, events };
}

describe('card 4000 0000 0000 0341: subscribes, then its renewal is declined', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(RETRIES);
  });
  afterAll(() => h.close());

  it('the failed renewal: Stripe’s sequence, the failure where Stripe shows it, past_due, next_payment_attempt on the schedule', async () => {
    const { subscription, invoice, events } = await failedRenewal(h);
    expect(typesOf(events)).toEqual([
      'test_helpers.test_clock.advancing',
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.updated',
      'test_helpers.test_clock.ready',
    ]);
    expect(events[8].data.previous_attributes).toEqual({ status: 'active' });
    expect(invoice).toMatchObject({ status: 'open', attempted: true, attempt_count: 1, amount_due: 80_000, amount_paid: 0, next_payment_attempt: RENEWAL + HOUR + DAY });
    expect(await h.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'past_due' });
    const [payment] = (await h.stripe.invoicePayments.list({ invoice: invoice.id })).data;
    const intent = await h.stripe.paymentIntents.retrieve(payment.payment.payment_intent as string);
    expect(intent).toMatchObject({ status: 'requires_payment_method', description: 'Subscription update', last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' } });
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ status: 'failed', failure_code: 'card_declined', outcome: { reason: 'generic_decline' } });
    expect((events[7].data.object as Stripe.Invoice).next_payment_attempt).toBe(RENEWAL + HOUR + DAY);
  });

  it('a Smart Retry pays it once the card is replaced (pm_card_visa on the subscription)', async () => {
    const { clock, customer, subscription, invoice } = await failedRenewal(h);
    const visa = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(visa).toMatchObject({ customer: customer.id, card: { last4: '4242' } });
    await h.stripe.subscriptions.update(subscription.id, { default_payment_method: visa.id });
    const before = await mark(h.stripe);
    await advanceClock(h.stripe, clock.id, RENEWAL + HOUR + DAY + 60);
    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events)).toEqual([
      'test_helpers.test_clock.advancing',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice_payment.paid',
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
      'charge.updated',
      'test_helpers.test_clock.ready',
    ]);
    expect(events[6].data.previous_attributes).toEqual({ status: 'past_due' });
    expect(await h.stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: 'paid', attempt_count: 2, amount_paid: 80_000, next_payment_attempt: null });
    expect(await h.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'active' });
    // one PaymentIntent per invoice, confirmed again by the retry
    const [payment] = (await h.stripe.invoicePayments.list({ invoice: invoice.id })).data;
    const charges = await h.stripe.charges.list({ payment_intent: payment.payment.payment_intent as string });
    expect(charges.data.map((c) => c.status)).toEqual(['succeeded', 'failed']);
  });

  it('retries exhausted: the last failure has no next attempt, then the subscription is canceled (the default)', async () => {
    const { clock, subscription, invoice } = await failedRenewal(h);
    await advanceClock(h.stripe, clock.id, RENEWAL + HOUR + DAY + 60);
    const before = await mark(h.stripe);
    await advanceClock(h.stripe, clock.id, RENEWAL + HOUR + 3 * DAY + 60);
    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events)).toEqual([
      'test_helpers.test_clock.advancing',
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.deleted',
      'test_helpers.test_clock.ready',
    ]);
    expect(events[3].data.object).toMatchObject({ attempt_count: 3, next_payment_attempt: null });
    expect(await h.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'payment_failed' } });
    // the invoice stays open, payable on its hosted page
    expect(await h.stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: 'open', next_payment_attempt: null });
  });

  it('the guest pays the open invoice on its hosted page: a decline shows the error, a good card pays it', async () => {
    const { subscription, invoice } = await failedRenewal(h);
    const page = await fetch(invoice.hosted_invoice_url!);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('800.00 EUR');
    expect(html).toContain('4242 4242 4242 4242');
    const declined = await payOnInvoicePage(invoice.hosted_invoice_url!, '4000 0000 0000 9995');
    expect(declined.status).toBe(402);
    expect(declined.html).toContain('Your card has insufficient funds.');
    expect(await h.stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: 'open', attempt_count: 2, next_payment_attempt: RENEWAL + HOUR + DAY });
    const before = await mark(h.stripe);
    const paid = await payOnInvoicePage(invoice.hosted_invoice_url!, '4242 4242 4242 4242');
    expect(paid.status).toBe(303);
    expect(typesOf(await eventsSince(h.stripe, before))).toEqual([
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice_payment.paid',
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
      'charge.updated',
    ]);
    expect(await h.stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: 'paid', attempt_count: 3, next_payment_attempt: null });
    expect(await h.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'active' });
    const after = await fetch(invoice.hosted_invoice_url!);
    expect(await after.text()).toContain('This invoice is paid.');
    expect((await payOnInvoicePage(invoice.hosted_invoice_url!, '4242 4242 4242 4242')).status).toBe(409);
  });

  it('invoices.pay charges the saved card now (0341: Stripe’s card error), or another attached one', async () => {
    const { customer, invoice } = await failedRenewal(h);
    const declined = await failure(h.stripe.invoices.pay(invoice.id));
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    const mastercard = await h.stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    const paid = await h.stripe.invoices.pay(invoice.id, { payment_method: mastercard.id });
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 80_000 });
    expect(await failure(h.stripe.invoices.pay(invoice.id))).toMatchObject({ statusCode: 400, message: 'Invoice is already paid' });
    const stranger = await h.stripe.customers.create({ email: 'stranger@example.com' });
    const foreign = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: stranger.id });
    const other = await failedRenewal(h);
    expect(await failure(h.stripe.invoices.pay(other.invoice.id, { payment_method: foreign.id }))).toMatchObject({ statusCode: 400, param: 'payment_method' });
    expect(await failure(h.stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }))).toMatchObject({ statusCode: 402, code: 'card_declined' });
  });

  it('refunds of invoice charges, by charge or by PaymentIntent, as for one-off payments', async () => {
    const { subscription } = await subscribed(h, '4242424242424242');
    const invoice = await h.stripe.invoices.retrieve(subscription.latest_invoice as string, { expand: ['payments'] });
    const intentId = invoice.payments!.data[0].payment.payment_intent as string;
    const intent = await h.stripe.paymentIntents.retrieve(intentId);
    const before = await mark(h.stripe);
    const partial = await h.stripe.refunds.create({ charge: intent.latest_charge as string, amount: 30_000 });
    const rest = await h.stripe.refunds.create({ payment_intent: intentId });
    expect([partial.amount, rest.amount]).toEqual([30_000, 50_000]);
    expect(typesOf(await eventsSince(h.stripe, before))).toEqual(['refund.created', 'charge.refunded', 'refund.created', 'charge.refunded']);
    expect(await h.stripe.charges.retrieve(intent.latest_charge as string)).toMatchObject({ refunded: true, amount_refunded: 80_000, customer: subscription.customer });
  });
});

describe.each<[StripeEmulatorOptions['subscriptionStatusAfterRetries'], string, string[]]>([
  ['unpaid', 'unpaid', ['customer.subscription.updated']],
  ['past_due', 'past_due', []],
])('subscriptionStatusAfterRetries: %s', (setting, status, after) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ...RETRIES, subscriptionStatusAfterRetries: setting });
  });
  afterAll(() => h.close());

  it(`the subscription is ${status} once the retries are exhausted`, async () => {
    const { clock, subscription } = await failedRenewal(h);
    await advanceClock(h.stripe, clock.id, RENEWAL + HOUR + DAY + 60);
    const before = await mark(h.stripe);
    await advanceClock(h.stripe, clock.id, RENEWAL + HOUR + 3 * DAY + 60);
    const events = await eventsSince(h.stripe, before);
    expect(typesOf(events)).toEqual([
      'test_helpers.test_clock.advancing',
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      ...after,
      'test_helpers.test_clock.ready',
    ]);
    expect(await h.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status });
    // the next period is still invoiced; an unpaid subscription's invoice is finalized but not charged
    await advanceClock(h.stripe, clock.id, utc(2027, 5, 10, 9) + 2 * HOUR);
    const invoices = (await h.stripe.invoices.list({ subscription: subscription.id })).data;
    expect(invoices.map((i) => [i.status, i.attempt_count])).toEqual([
      ['open', setting === 'unpaid' ? 0 : 1],
      ['open', 3],
      ['paid', 0],
    ]);
  });
});

describe('the default Smart Retries schedule', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('8 tries within 2 weeks: retries 1, 3, 5, 7, 9, 11 and 14 days after the failed renewal', async () => {
    const { clock, invoice, subscription } = await failedRenewal(h);
    const failedAt = RENEWAL + HOUR;
    const seen: Array<number | null> = [invoice.next_payment_attempt];
    for (const day of [1, 3, 5, 7, 9, 11, 14]) {
      await advanceClock(h.stripe, clock.id, failedAt + day * DAY + 60);
      seen.push((await h.stripe.invoices.retrieve(invoice.id)).next_payment_attempt);
    }
    expect(seen).toEqual([...[1, 3, 5, 7, 9, 11, 14].map((d) => failedAt + d * DAY), null]);
    expect(await h.stripe.invoices.retrieve(invoice.id)).toMatchObject({ attempt_count: 8, status: 'open' });
    expect(await h.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'canceled' });
  });
});
