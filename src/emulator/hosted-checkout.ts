/**
 * The hosted checkout page at a session's `url`: card number, expiry, CVC and
 * email, or a SEPA Direct Debit IBAN (the delayed method). Submissions honour
 * Stripe's test cards; a decline keeps the session open and shows the error, as
 * Stripe's page does; 4000 0000 0000 3220 asks for 3-D Secure first.
 */
import type Stripe from 'stripe';
import type { PaymentOutcome } from './emulator-store';

const TEST_CARDS: Record<string, PaymentOutcome> = {
  '4242424242424242': { kind: 'succeed' },
  '4000000000000002': { kind: 'decline', code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' },
  '4000000000009995': {
    kind: 'decline',
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  '4000000000003220': { kind: 'requires_action' },
  '4000000000005126': { kind: 'succeed', refundsFail: true },
  '4000000000000259': { kind: 'succeed', disputes: true },
};

const TEST_IBANS: Record<string, PaymentOutcome> = {
  DE89370400440532013000: { kind: 'delayed', willSucceed: true },
  DE62370400440532013001: { kind: 'delayed', willSucceed: false },
};

export function cardOutcome(cardNumber: string): PaymentOutcome {
  const digits = cardNumber.replace(/[\s-]/g, '');
  if (TEST_CARDS[digits]) return TEST_CARDS[digits];
  if (!/^\d{12,19}$/.test(digits)) {
    return { kind: 'decline', code: 'incorrect_number', message: 'Your card number is incorrect.' };
  }
  // any other well-formed number behaves like Stripe's generic success card
  return { kind: 'succeed' };
}

export function ibanOutcome(iban: string): PaymentOutcome | undefined {
  return TEST_IBANS[iban.replace(/\s/g, '').toUpperCase()];
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const money = (session: Stripe.Checkout.Session) =>
  `${((session.amount_total ?? 0) / 100).toFixed(2)} ${String(session.currency).toUpperCase()}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
form{display:grid;gap:.6rem;margin:1rem 0;padding:1rem;border:1px solid #e3e8ee;border-radius:8px}
input,button{font:inherit;padding:.5rem}button{background:#635bff;color:#fff;border:0;border-radius:6px}
.error{color:#df1b41;background:#fff0f3;padding:.6rem;border-radius:6px}.muted{color:#697386;font-size:.9em}</style>
</head><body>${body}<p class="muted">Stripe emulator · test mode</p></body></html>`;
}

export function checkoutPage(session: Stripe.Checkout.Session, description: string, error?: string): string {
  if (session.status !== 'open') {
    return layout('Checkout', `<h1>This checkout session is ${escape(session.status ?? 'closed')}</h1>`);
  }
  const email = session.customer_details?.email ?? session.customer_email ?? '';
  return layout(
    'Pay',
    `<h1>Pay ${escape(money(session))}</h1><p>${escape(description)}</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/c/pay/${session.id}" aria-label="Card">
  <label>Email <input name="email" type="email" value="${escape(email)}" autocomplete="email"></label>
  <label>Card number <input name="card_number" inputmode="numeric" placeholder="4242 4242 4242 4242" required></label>
  <label>Expiry <input name="exp" placeholder="12 / 34" required></label>
  <label>CVC <input name="cvc" inputmode="numeric" placeholder="123" required></label>
  <button type="submit">Pay</button>
</form>
<form method="post" action="/c/pay/${session.id}" aria-label="SEPA Direct Debit">
  <label>Email <input name="email" type="email" value="${escape(email)}"></label>
  <label>IBAN <input name="iban" placeholder="DE89 3704 0044 0532 0130 00" required></label>
  <button type="submit">Pay with SEPA Direct Debit</button>
</form>
${session.cancel_url ? `<p><a href="/c/pay/${session.id}/cancel">Cancel and return</a></p>` : ''}`,
  );
}

export function authenticationPage(session: Stripe.Checkout.Session): string {
  return layout(
    '3D Secure',
    `<h1>3D Secure authentication</h1><p>Authenticate the payment of ${escape(money(session))}.</p>
<form method="post" action="/c/pay/${session.id}/3ds"><input type="hidden" name="action" value="complete"><button type="submit">Complete authentication</button></form>
<form method="post" action="/c/pay/${session.id}/3ds"><input type="hidden" name="action" value="fail"><button type="submit">Fail authentication</button></form>`,
  );
}

export function successUrlFor(session: Stripe.Checkout.Session): string {
  return String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id);
}
