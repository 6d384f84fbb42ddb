/**
 * Every Stripe call has three outcomes: done, refused (Stripe answered no:
 * nothing happened there), or unknown (a timeout, a reset connection, a 5xx
 * after the SDK's own retries, a concurrent request holding the idempotency
 * key: it may have happened). Unknown is never treated as refused: the caller
 * keeps its row pending with the idempotency key, and the same key is sent
 * again later.
 */
import Stripe from 'stripe';
import type { Log } from '../common/log';
import { AppError } from '../errors';

export type StripeOutcome<T> =
  | { kind: 'done'; value: T }
  /** `missing`: what the call named does not exist at Stripe (resource_missing); `transient`: rate limited, nothing happened */
  | { kind: 'refused'; error: Stripe.errors.StripeError; missing: boolean; transient: boolean }
  | { kind: 'unknown'; error: unknown };

export function classifyStripeError(err: unknown): Exclude<StripeOutcome<never>, { kind: 'done' }> {
  if (!(err instanceof Stripe.errors.StripeError)) return { kind: 'unknown', error: err };
  const status = err.statusCode ?? 0;
  // 409: another request with this key is in flight; an idempotency error: the key already ran (with other params)
  if (err instanceof Stripe.errors.StripeIdempotencyError || status === 409) return { kind: 'unknown', error: err };
  if (status === 429 || err instanceof Stripe.errors.StripeRateLimitError) {
    return { kind: 'refused', error: err, missing: false, transient: true };
  }
  if (status >= 400 && status < 500) {
    return { kind: 'refused', error: err, missing: err.code === 'resource_missing', transient: false };
  }
  return { kind: 'unknown', error: err };
}

export async function callStripe<T>(call: () => Promise<T>): Promise<StripeOutcome<T>> {
  try {
    return { kind: 'done', value: await call() };
  } catch (err) {
    return classifyStripeError(err);
  }
}

/** Logs a call that did not succeed, with Stripe's request id, never the secret or the payload. */
export function logStripeTrouble(log: Log, operation: string, outcome: Exclude<StripeOutcome<unknown>, { kind: 'done' }>): void {
  const error = outcome.error;
  const stripeError = error instanceof Stripe.errors.StripeError ? error : undefined;
  log.warn(
    {
      operation,
      outcome: outcome.kind,
      stripeRequestId: stripeError?.requestId,
      stripeType: stripeError?.type,
      stripeCode: stripeError?.code,
      statusCode: stripeError?.statusCode,
      err: stripeError ? undefined : error,
    },
    `Stripe call ${outcome.kind === 'unknown' ? 'has an unknown outcome' : 'was refused'}: ${operation}`,
  );
}

/** A refusal as the API's error: rate limited → PAYMENT_PROVIDER_UNAVAILABLE (try again), else PAYMENT_PROVIDER_ERROR. */
export function refusalError(outcome: Extract<StripeOutcome<unknown>, { kind: 'refused' }>): AppError {
  if (outcome.transient) {
    return new AppError('PAYMENT_PROVIDER_UNAVAILABLE', 'The payment provider is busy right now; nothing was done. Try again in a moment', {
      retryable: true,
    });
  }
  return new AppError('PAYMENT_PROVIDER_ERROR', 'The payment provider refused the request', { providerCode: outcome.error.code ?? null });
}

/** An unknown outcome, as the API's error: the request may have taken effect; it will be completed, not repeated. */
export function pendingError(message: string, extensions: Record<string, unknown> = {}): AppError {
  return new AppError('PAYMENT_PROVIDER_PENDING', message, { retryable: false, ...extensions });
}
