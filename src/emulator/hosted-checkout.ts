/**
 * The hosted checkout page at a session's `url`: card number, expiry, CVC and
 * email, or a SEPA Direct Debit IBAN (the delayed method). Submissions honour
 * Stripe's documented test cards (docs.stripe.com/testing), listed in a
 * collapsible help box on the page; a decline keeps the session open and shows
 * the error, as Stripe's page does; the 3-D Secure cards ask for authentication
 * first. As in Stripe's test mode, a number that is not a test card is declined
 * (`test_mode_live_card`), and one that fails the Luhn check is refused by the
 * page before anything is sent.
 */
import type Stripe from 'stripe';
import type { PaymentOutcome } from './emulator-store';
import type { PaymentMethodUsed } from './stripe-objects';

interface TestCard {
  number: string;
  brand: string;
  /** a one-time payment on a hosted page */
  outcome: PaymentOutcome;
  /** the first payment of a subscription on Checkout, which saves the card (when it differs) */
  setup?: PaymentOutcome;
  /** a later charge of the saved card with the customer away: renewals, Smart Retries (when it differs) */
  offSession?: PaymentOutcome;
  /** what the help box says */
  result: string;
  /** Stripe's test PaymentMethod for this card (`stripe.paymentMethods.attach('pm_card_visa', …)`) */
  token?: string;
}

const decline = (code: string, declineCode: string, message: string): PaymentOutcome => ({ kind: 'decline', code, declineCode, message });
const DECLINED = 'Your card was declined.';
const AUTHENTICATION_REQUIRED = decline('authentication_required', 'authentication_required', 'Your card was declined. This transaction requires authentication.');

export const TEST_CARDS: TestCard[] = [
  { number: '4242424242424242', brand: 'visa', outcome: { kind: 'succeed' }, result: 'Succeeds', token: 'pm_card_visa' },
  { number: '4000056655665556', brand: 'visa', outcome: { kind: 'succeed' }, result: 'Succeeds (Visa debit)', token: 'pm_card_visa_debit' },
  { number: '5555555555554444', brand: 'mastercard', outcome: { kind: 'succeed' }, result: 'Succeeds (Mastercard)', token: 'pm_card_mastercard' },
  { number: '2223003122003222', brand: 'mastercard', outcome: { kind: 'succeed' }, result: 'Succeeds (Mastercard 2-series)' },
  { number: '5200828282828210', brand: 'mastercard', outcome: { kind: 'succeed' }, result: 'Succeeds (Mastercard debit)' },
  { number: '5105105105105100', brand: 'mastercard', outcome: { kind: 'succeed' }, result: 'Succeeds (Mastercard prepaid)' },
  { number: '378282246310005', brand: 'amex', outcome: { kind: 'succeed' }, result: 'Succeeds (American Express)', token: 'pm_card_amex' },
  { number: '371449635398431', brand: 'amex', outcome: { kind: 'succeed' }, result: 'Succeeds (American Express)' },
  { number: '6011111111111117', brand: 'discover', outcome: { kind: 'succeed' }, result: 'Succeeds (Discover)' },
  { number: '3056930009020004', brand: 'diners', outcome: { kind: 'succeed' }, result: 'Succeeds (Diners Club)' },
  { number: '3566002020360505', brand: 'jcb', outcome: { kind: 'succeed' }, result: 'Succeeds (JCB)' },
  { number: '6200000000000005', brand: 'unionpay', outcome: { kind: 'succeed' }, result: 'Succeeds (UnionPay)' },
  {
    number: '4000000000003220',
    brand: 'visa',
    outcome: { kind: 'requires_action' },
    offSession: AUTHENTICATION_REQUIRED,
    result: '3-D Secure 2 authentication required, then succeeds or fails',
    token: 'pm_card_threeDSecure2Required',
  },
  {
    number: '4000002760003184',
    brand: 'visa',
    outcome: { kind: 'requires_action' },
    offSession: AUTHENTICATION_REQUIRED,
    result: '3-D Secure required on every payment (later charges of the saved card are declined: authentication_required)',
    token: 'pm_card_authenticationRequired',
  },
  {
    number: '4000002500003155',
    brand: 'visa',
    outcome: { kind: 'requires_action' },
    offSession: { kind: 'succeed' },
    result: '3-D Secure required for a one-time payment (as here); later charges of the saved card succeed',
    token: 'pm_card_authenticationRequiredOnSetup',
  },
  {
    number: '4000000000000002',
    brand: 'visa',
    outcome: decline('card_declined', 'generic_decline', DECLINED),
    result: 'Declined: card_declined (generic_decline)',
    token: 'pm_card_chargeDeclined',
  },
  {
    number: '4000000000009995',
    brand: 'visa',
    outcome: decline('card_declined', 'insufficient_funds', 'Your card has insufficient funds.'),
    result: 'Declined: card_declined (insufficient_funds)',
    token: 'pm_card_chargeDeclinedInsufficientFunds',
  },
  { number: '4000000000009987', brand: 'visa', outcome: decline('card_declined', 'lost_card', DECLINED), result: 'Declined: card_declined (lost_card)' },
  { number: '4000000000009979', brand: 'visa', outcome: decline('card_declined', 'stolen_card', DECLINED), result: 'Declined: card_declined (stolen_card)' },
  { number: '4000000000000069', brand: 'visa', outcome: decline('expired_card', 'expired_card', 'Your card has expired.'), result: 'Declined: expired_card' },
  {
    number: '4000000000000127',
    brand: 'visa',
    outcome: decline('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect."),
    result: 'Declined: incorrect_cvc',
  },
  {
    number: '4000000000000119',
    brand: 'visa',
    outcome: decline('processing_error', 'processing_error', 'An error occurred while processing your card. Try again in a little bit.'),
    result: 'Declined: processing_error',
  },
  {
    number: '4000000000000341',
    brand: 'visa',
    outcome: decline('card_declined', 'generic_decline', DECLINED),
    setup: { kind: 'succeed' },
    result: 'Attaches to a customer (a subscription\'s first payment on Checkout succeeds), but every other charge is declined: card_declined (generic_decline)',
    token: 'pm_card_chargeCustomerFail',
  },
  {
    number: '4000000000005126',
    brand: 'visa',
    outcome: { kind: 'succeed', refundsFail: true },
    result: 'Succeeds; a refund of it fails later (refund.failed)',
    token: 'pm_card_refundFail',
  },
  {
    number: '4000000000000259',
    brand: 'visa',
    outcome: { kind: 'succeed', disputes: true },
    result: 'Succeeds, then is disputed (charge.dispute.created)',
    token: 'pm_card_createDispute',
  },
];

/** What a card does: now on a hosted page, as a subscription's first (saving) payment, and charged later off-session. */
export interface CardBehaviour {
  outcome: PaymentOutcome;
  setup: PaymentOutcome;
  offSession: PaymentOutcome;
  method: PaymentMethodUsed;
}

function behaviourOf(card: TestCard | undefined, outcome: PaymentOutcome, method: PaymentMethodUsed): CardBehaviour {
  return { outcome, setup: card?.setup ?? outcome, offSession: card?.offSession ?? outcome, method };
}

/** Stripe's test PaymentMethod tokens (`pm_card_visa`, `pm_card_chargeCustomerFail`, …): the card each stands for. */
export function testPaymentMethod(token: string): CardBehaviour | undefined {
  const card = TEST_CARDS.find((c) => c.token === token);
  if (!card) return undefined;
  const method: PaymentMethodUsed = {
    type: 'card',
    brand: card.brand,
    last4: card.number.slice(-4),
    expMonth: 12,
    expYear: 2034,
    threeDSecure: card.outcome.kind === 'requires_action',
  };
  return behaviourOf(card, card.outcome, method);
}

const TEST_IBANS: Record<string, { willSucceed: boolean; result: string }> = {
  DE89370400440532013000: { willSucceed: true, result: 'SEPA Direct Debit: processing, then succeeds' },
  DE62370400440532013001: { willSucceed: false, result: 'SEPA Direct Debit: processing, then fails' },
};

/** The Luhn check every real card number passes. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function brandOf(digits: string): string {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^6/.test(digits)) return 'discover';
  return 'unknown';
}

function expiry(exp: string): { month: number; year: number } {
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(exp);
  if (!m) return { month: 12, year: 2034 };
  const year = Number(m[2]);
  return { month: Number(m[1]), year: year < 100 ? 2000 + year : year };
}

/** What the page does with a card number: a payment outcome, or an error it shows without sending anything. */
export function cardOutcome(cardNumber: string, exp: string): CardBehaviour | { error: string } {
  const digits = cardNumber.replace(/[\s-]/g, '');
  if (!digits) return { error: 'Your card number is incomplete.' };
  if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) return { error: 'Your card number is invalid.' };
  const { month, year } = expiry(exp);
  const card = TEST_CARDS.find((c) => c.number === digits);
  const method: PaymentMethodUsed = {
    type: 'card',
    brand: card?.brand ?? brandOf(digits),
    last4: digits.slice(-4),
    expMonth: month,
    expYear: year,
    threeDSecure: card?.outcome.kind === 'requires_action',
  };
  if (card) return behaviourOf(card, card.outcome, method);
  const liveCard = decline(
    'card_declined',
    'test_mode_live_card',
    'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://docs.stripe.com/testing.',
  );
  return behaviourOf(undefined, liveCard, method);
}

export function ibanOutcome(iban: string): CardBehaviour | undefined {
  const normalized = iban.replace(/\s/g, '').toUpperCase();
  const known = TEST_IBANS[normalized];
  if (!known) return undefined;
  return behaviourOf(undefined, { kind: 'delayed', willSucceed: known.willSucceed }, {
    type: 'sepa_debit',
    country: normalized.slice(0, 2),
    bankCode: normalized.slice(4, 12),
    last4: normalized.slice(-4),
  });
}

export const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const money = (amount: number | null, currency: string | null) => `${((amount ?? 0) / 100).toFixed(2)} ${String(currency).toUpperCase()}`;
const grouped = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1 ');

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
form{display:grid;gap:.6rem;margin:1rem 0;padding:1rem;border:1px solid #e3e8ee;border-radius:8px}
input,button{font:inherit;padding:.5rem}button{background:#635bff;color:#fff;border:0;border-radius:6px}
.error{color:#df1b41;background:#fff0f3;padding:.6rem;border-radius:6px}.muted{color:#697386;font-size:.9em}
details{margin:1rem 0;padding:.6rem 1rem;border:1px solid #e3e8ee;border-radius:8px}summary{cursor:pointer;font-weight:600}
table{border-collapse:collapse;font-size:.85em}td,th{padding:.25rem .5rem;text-align:left;border-top:1px solid #e3e8ee}code{white-space:nowrap}</style>
</head><body>${body}<p class="muted">Stripe emulator · test mode</p></body></html>`;
}

export function testCardHelp(): string {
  const rows = [
    ...TEST_CARDS.map((c) => `<tr><td><code>${grouped(c.number)}</code></td><td>${escape(c.result)}</td></tr>`),
    ...Object.entries(TEST_IBANS).map(([iban, i]) => `<tr><td><code>${iban}</code></td><td>${escape(i.result)}</td></tr>`),
  ];
  return `<details><summary>Test cards</summary>
<p class="muted">Any future expiry date and any CVC. A number that is not a test card is declined, as in Stripe's test mode.</p>
<table><thead><tr><th scope="col">Number</th><th scope="col">Result</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

/** The card form of the hosted pages (checkout and invoice): email, number, expiry, CVC. */
export function cardForm(action: string, email: string, button: string): string {
  return `<form method="post" action="${action}" aria-label="Card">
  <label>Email <input name="email" type="email" value="${escape(email)}" autocomplete="email"></label>
  <label>Card number <input name="card_number" inputmode="numeric" placeholder="4242 4242 4242 4242" required></label>
  <label>Expiry <input name="exp" placeholder="12 / 34" required></label>
  <label>CVC <input name="cvc" inputmode="numeric" placeholder="123" required></label>
  <button type="submit">${escape(button)}</button>
</form>`;
}

export function checkoutPage(session: Stripe.Checkout.Session, description: string, error?: string): string {
  if (session.status !== 'open') {
    return layout('Checkout', `<h1>This checkout session is ${escape(session.status ?? 'closed')}</h1>`);
  }
  const email = session.customer_details?.email ?? session.customer_email ?? '';
  const sepa = session.payment_method_types.includes('sepa_debit')
    ? `<form method="post" action="/c/pay/${session.id}" aria-label="SEPA Direct Debit">
  <label>Email <input name="email" type="email" value="${escape(email)}"></label>
  <label>IBAN <input name="iban" placeholder="DE89 3704 0044 0532 0130 00" required></label>
  <button type="submit">Pay with SEPA Direct Debit</button>
</form>`
    : '';
  const subscribing = session.mode === 'subscription';
  return layout(
    subscribing ? 'Subscribe' : 'Pay',
    `<h1>${subscribing ? 'Subscribe' : 'Pay'} ${escape(money(session.amount_total, session.currency))}</h1><p>${escape(description)}</p>
${subscribing ? '<p class="muted">Your card is saved for the next payments of this subscription.</p>' : ''}
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
${cardForm(`/c/pay/${session.id}`, email, subscribing ? 'Subscribe' : 'Pay')}
${sepa}
${testCardHelp()}
${session.cancel_url ? `<p><a href="/c/pay/${session.id}/cancel">Cancel and return</a></p>` : ''}`,
  );
}

export function authenticationPage(session: Stripe.Checkout.Session): string {
  return layout(
    '3D Secure',
    `<h1>3D Secure authentication</h1><p>Authenticate the payment of ${escape(money(session.amount_total, session.currency))}.</p>
<form method="post" action="/c/pay/${session.id}/3ds"><input type="hidden" name="action" value="complete"><button type="submit">Complete authentication</button></form>
<form method="post" action="/c/pay/${session.id}/3ds"><input type="hidden" name="action" value="fail"><button type="submit">Fail authentication</button></form>`,
  );
}

export function receiptPage(charge: Stripe.Charge): string {
  return layout('Receipt', `<h1>Receipt</h1><p>${escape(money(charge.amount, charge.currency))} paid.</p><p class="muted">${escape(charge.id)}</p>`);
}

export function successUrlFor(session: Stripe.Checkout.Session): string {
  return String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id);
}
