/** EUR only, in integer cents (SPEC.md). */
export const CURRENCY = 'EUR';
/** Stripe's ceiling for a single EUR charge is €999,999.99. */
export const MAX_AMOUNT_CENTS = 99_999_999;
