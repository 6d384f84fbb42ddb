/**
 * Who may read a payment result page. The guest's browser comes back from
 * Stripe's checkout with no bearer token, so the page's URL carries a
 * capability instead: `access`, an HMAC of the reservation id under a key only
 * this service holds, added to the default success and cancel URLs when the
 * session is created. It opens exactly one reservation's pages, and those reveal
 * only where its payment stands (no amounts, names or ids beyond the URL's own).
 *
 * The key is derived from JWT_SECRET (so links survive a restart); with JWKS
 * verification there is no shared secret, and a random key per process is used.
 * We did not use the `session_id` Stripe adds to the success URL as the
 * capability because the cancel URL gets none, and one rule should open both.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN = /^[A-Za-z0-9_-]{22}$/;

export class PageAccess {
  private constructor(private readonly key: Buffer) {}

  static fromSecret(secret: string | undefined): PageAccess {
    return new PageAccess(secret ? createHmac('sha256', secret).update('payment-result-pages').digest() : randomBytes(32));
  }

  /** 128 bits, URL-safe. */
  tokenFor(reservationId: string): string {
    return createHmac('sha256', this.key).update(reservationId).digest().subarray(0, 16).toString('base64url');
  }

  allows(reservationId: string, token: unknown): boolean {
    if (typeof token !== 'string' || !TOKEN.test(token)) return false;
    return timingSafeEqual(Buffer.from(this.tokenFor(reservationId)), Buffer.from(token));
  }
}
