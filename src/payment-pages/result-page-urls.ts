/**
 * The default success and cancel URLs (src/payments/checkout-urls.ts) with the
 * page capability appended, for while this service serves the result pages
 * itself (PUBLIC_URL unset). Caller-given URLs are the front end's: untouched.
 */
import { CheckoutUrls } from '../payments/checkout-urls';
import type { PageAccess } from './page-access';

// not URLSearchParams: the success URL holds Stripe's literal {CHECKOUT_SESSION_ID}, which must stay unencoded
const withAccess = (url: string, token: string) => `${url}${url.includes('?') ? '&' : '?'}access=${token}`;

export class ResultPageCheckoutUrls extends CheckoutUrls {
  constructor(
    publicUrl: string,
    private readonly access: PageAccess,
  ) {
    super(publicUrl);
  }

  override resolve(
    reservationId: string,
    overrides: { successUrl?: string | null; cancelUrl?: string | null },
  ): { successUrl: string; cancelUrl: string } {
    const urls = super.resolve(reservationId, overrides);
    const token = this.access.tokenFor(reservationId);
    return {
      successUrl: overrides.successUrl ? urls.successUrl : withAccess(urls.successUrl, token),
      cancelUrl: overrides.cancelUrl ? urls.cancelUrl : withAccess(urls.cancelUrl, token),
    };
  }
}
