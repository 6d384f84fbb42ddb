/**
 * What the console says for each error code of the API (SPEC's list, plus the
 * edge's): the service's own message is kept, since it is written for people and
 * says the specifics (how much remains, which field); the lead says what it means
 * for the person at the console and what to do.
 */
import { formatMoney } from '../common/money';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An error of the API as the console handles it. `code` is extensions.code, or NETWORK when nothing answered. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get fields(): FieldProblem[] {
    return Array.isArray(this.extensions.fields) ? (this.extensions.fields as FieldProblem[]) : [];
  }
}

const LEADS: Record<string, string> = {
  UNAUTHENTICATED: 'Your token is no longer accepted.',
  FORBIDDEN: 'This token may not do that.',
  NOT_FOUND: 'Not found.',
  BAD_USER_INPUT: 'Please correct the input.',
  NO_REFUND_DUE: 'The cancellation policy refunds nothing now.',
  REFUND_EXCEEDS_PAYMENT: 'That is more than remains refundable on this payment.',
  ALREADY_REFUNDED: 'This payment is already refunded in full.',
  PAYMENT_PROVIDER_ERROR: 'Stripe refused: nothing was refunded.',
  PAYMENT_PROVIDER_UNAVAILABLE: 'Stripe could not be reached or is busy: nothing was refunded. Try again in a minute.',
  PAYMENT_PROVIDER_PENDING: 'Stripe has not confirmed an earlier refund of this payment yet: it completes by itself within minutes.',
  RATE_LIMITED: 'Too many requests.',
  QUERY_TOO_COMPLEX: 'The request was refused as too large.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on the service.',
  NETWORK: 'The service did not answer.',
};

/** One sentence or two for an error box: what it means, then the service's specifics. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const lead = LEADS[error.code];
  if (error.code === 'REFUND_EXCEEDS_PAYMENT' && typeof error.extensions.remaining === 'number') {
    // the service's message counts cents; it gives the number too, so say it in euros
    return `${lead} At most ${formatMoney(error.extensions.remaining)} remains refundable now.`;
  }
  if (error.code === 'RATE_LIMITED' && typeof error.extensions.retryAfter === 'number') {
    return `${lead} Try again in ${error.extensions.retryAfter} s.`;
  }
  const detail = error.code === 'INTERNAL_SERVER_ERROR' && error.extensions.requestId ? `Request id ${String(error.extensions.requestId)}.` : error.message;
  if (!lead) return `${error.message} (${error.code})`;
  return detail && detail !== lead ? `${lead} ${detail}` : lead;
}
