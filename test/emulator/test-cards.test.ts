/**
 * The hosted page honours Stripe's documented test cards (docs.stripe.com/testing)
 * and lists them in a collapsible help box; other numbers are declined as in
 * Stripe's test mode.
 */
import Stripe from 'stripe';
import { TEST_CARDS } from '../../src/emulator/hosted-checkout';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { sessionParams, startHarness, type Harness } from './support';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function tryCard(card: string, threeDS?: 'complete' | 'fail') {
  const session = await h.stripe.checkout.sessions.create(sessionParams());
  const page = await payOnCheckoutPage(session.url!, { card, threeDS });
  const after = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent.latest_charge'] });
  return { page, session: after, intent: after.payment_intent as Stripe.PaymentIntent | null };
}

describe('declines', () => {
  it.each([
    ['4000 0000 0000 0002', 'card_declined', 'generic_decline', 'Your card was declined.'],
    ['4000 0000 0000 9995', 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.'],
    ['4000 0000 0000 0069', 'expired_card', 'expired_card', 'Your card has expired.'],
    ['4000 0000 0000 0127', 'incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect."],
    ['4000 0000 0000 0119', 'processing_error', 'processing_error', 'An error occurred while processing your card. Try again in a little bit.'],
    ['4000 0000 0000 0341', 'card_declined', 'generic_decline', 'Your card was declined.'],
  ])('%s: %s (%s); the session stays open and the page shows the message', async (card, code, declineCode, message) => {
    const { page, session, intent } = await tryCard(card);
    expect(page.status).toBe(402);
    expect(page.html).toContain(message.replace(/'/g, '&#39;'));
    expect(session.status).toBe('open');
    expect(intent!.status).toBe('requires_payment_method');
    expect(intent!.last_payment_error).toMatchObject({ type: 'card_error', code, decline_code: declineCode, message });
    expect(intent!.latest_charge as Stripe.Charge).toMatchObject({ status: 'failed', failure_code: code, outcome: { reason: declineCode } });
  });

  it('a number that is not a test card is declined as in test mode (test_mode_live_card)', async () => {
    const { page, intent } = await tryCard('4111 1111 1111 1111');
    expect(page.status).toBe(402);
    expect(intent!.last_payment_error).toMatchObject({ code: 'card_declined', decline_code: 'test_mode_live_card' });
    expect(intent!.last_payment_error?.message).toMatch(/non test \(live\) card/);
  });

  it('a number that fails the Luhn check is refused by the page, nothing is created', async () => {
    const { page, intent } = await tryCard('4242 4242 4242 4241');
    expect(page.status).toBe(400);
    expect(page.html).toMatch(/Your card number is invalid/);
    expect(intent).toBeNull();
  });
});

describe('3-D Secure', () => {
  it.each(['4000 0000 0000 3220', '4000 0027 6000 3184', '4000 0025 0000 3155'])('%s asks for authentication; completed, it pays', async (card) => {
    const asked = await tryCard(card);
    expect(asked.page.status).toBe(200);
    expect(asked.page.html).toMatch(/3D Secure/);
    expect(asked.intent!.status).toBe('requires_action');
    const { page, session } = await tryCard(card, 'complete');
    expect(page.status).toBe(303);
    expect(session.payment_status).toBe('paid');
    const charge = (session.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    expect(charge.payment_method_details?.card?.three_d_secure).toMatchObject({ result: 'authenticated' });
  });

  it('failed authentication declines without a charge', async () => {
    const { page, intent } = await tryCard('4000 0027 6000 3184', 'fail');
    expect(page.status).toBe(402);
    expect(intent!.last_payment_error).toMatchObject({ type: 'invalid_request_error', code: 'payment_intent_authentication_failure' });
    expect(intent!.latest_charge).toBeNull();
  });
});

describe('successes', () => {
  it.each(['4242 4242 4242 4242', '5555 5555 5555 4444', '3782 822463 10005'])('%s pays', async (card) => {
    const { page, session } = await tryCard(card);
    expect(page.status).toBe(303);
    expect(session.payment_status).toBe('paid');
    const charge = (session.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    expect(charge.payment_method_details?.card?.last4).toBe(card.replace(/\s/g, '').slice(-4));
  });
});

describe('the help box', () => {
  it('lists every test card in a collapsible <details>', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    const html = await (await fetch(session.url!)).text();
    const box = /<details>[\s\S]*<\/details>/.exec(html)?.[0] ?? '';
    expect(box).toMatch(/<summary>Test cards<\/summary>/);
    for (const card of TEST_CARDS) expect(box).toContain(card.number.replace(/(\d{4})(?=\d)/g, '$1 '));
    expect(box).toContain('DE89370400440532013000');
  });

  it('every listed number passes the Luhn check, as Stripe’s do', async () => {
    for (const card of TEST_CARDS) {
      const digits = card.number.split('').map(Number).reverse();
      const sum = digits.reduce((acc, d, i) => acc + (i % 2 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
      expect({ card: card.number, valid: sum % 10 === 0 }).toEqual({ card: card.number, valid: true });
    }
  });
});
