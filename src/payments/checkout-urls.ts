/**
 * Success and cancel URLs of a checkout session. Defaults live under PUBLIC_URL;
 * overrides are accepted only on an allowed origin (no open redirect).
 */
import { badInput } from '../errors';

export class CheckoutUrls {
  private readonly allowedOrigins: Set<string>;

  constructor(private readonly publicUrl: string, extraOrigins: string[] = []) {
    this.allowedOrigins = new Set([new URL(publicUrl).origin, ...extraOrigins.map((o) => new URL(o).origin)]);
  }

  resolve(
    reservationId: string,
    overrides: { successUrl?: string | null; cancelUrl?: string | null },
  ): { successUrl: string; cancelUrl: string } {
    const base = this.publicUrl.replace(/\/$/, '');
    const id = encodeURIComponent(reservationId);
    return {
      successUrl: overrides.successUrl
        ? this.allowed('input.successUrl', overrides.successUrl)
        : `${base}/reservations/${id}/payment/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: overrides.cancelUrl
        ? this.allowed('input.cancelUrl', overrides.cancelUrl)
        : `${base}/reservations/${id}/payment/cancelled`,
    };
  }

  private allowed(field: string, url: string): string {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw badInput(field, 'is not a URL');
    }
    if (!this.allowedOrigins.has(origin)) {
      throw badInput(field, `must be on an allowed origin (${[...this.allowedOrigins].join(', ')})`);
    }
    return url;
  }
}
