/**
 * The hosted invoice page at an invoice's `hosted_invoice_url` (`/i/:invoice`):
 * what is due, and while the invoice is open a card form where the guest pays
 * it with a test card (the same cards as the checkout page; a decline shows the
 * error and the invoice stays open). A paid invoice shows its receipt.
 */
import type Stripe from 'stripe';
import { cardForm, escape, layout, money, testCardHelp } from './hosted-checkout';

const STATUS_TEXT: Record<string, string> = {
  paid: 'This invoice is paid.',
  void: 'This invoice was voided.',
  uncollectible: 'This invoice was marked uncollectible.',
};

export function invoicePage(invoice: Stripe.Invoice, description: string, error?: string): string {
  const heading = `Invoice ${escape(invoice.number ?? invoice.id)}`;
  const amounts = `<p>${escape(description)}</p>
<p>Amount due: <strong>${escape(money(invoice.amount_remaining, invoice.currency))}</strong>${invoice.amount_paid ? ` · paid ${escape(money(invoice.amount_paid, invoice.currency))}` : ''}</p>`;
  if (invoice.status !== 'open') {
    return layout('Invoice', `<h1>${heading}</h1>${amounts}<p role="status">${escape(STATUS_TEXT[invoice.status ?? ''] ?? `This invoice is ${invoice.status}.`)}</p>`);
  }
  const email = invoice.customer_email ?? '';
  return layout(
    'Pay invoice',
    `<h1>${heading}</h1>${amounts}
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
${cardForm(`/i/${invoice.id}`, email, `Pay ${money(invoice.amount_remaining, invoice.currency)}`)}
${testCardHelp()}`,
  );
}
