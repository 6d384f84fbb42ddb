import { randomInt } from 'node:crypto';

// Crockford's base32: no I, L, O or U, so ids read back without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RESERVATION_ID_PATTERN = /^RES-\d{4}-[0-9A-HJKMNP-TV-Z]{6}$/;

/** RES-<year>-<6 random symbols>, e.g. RES-2026-7F3K9Q (30 random bits; collisions are retried by the service). */
export function newReservationId(now: Date): string {
  let suffix = '';
  for (let i = 0; i < 6; i += 1) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `RES-${now.getUTCFullYear()}-${suffix}`;
}
