/**
 * Stripe trouble as SPEC.md's codes: PAYMENT_PROVIDER_UNAVAILABLE when Stripe
 * rate-limits, times out or cannot be reached (after the SDK's own retries),
 * PAYMENT_PROVIDER_ERROR when it refuses. The Stripe request id is logged.
 */
import Stripe from 'stripe';
import { AppError } from '../errors';

export function isStripeUnavailable(err: unknown): boolean {
  return (
    err instanceof Stripe.errors.StripeRateLimitError ||
    err instanceof Stripe.errors.StripeConnectionError ||
    (err instanceof Stripe.errors.StripeAPIError && (err.statusCode ?? 500) >= 500) ||
    (err instanceof Stripe.errors.StripeError && (err.statusCode ?? 0) >= 500)
  );
}

/**
 * A definite refusal: Stripe answered 4xx and nothing was created. Not an
 * idempotency error: that key's first request (made by a concurrent caller) may
 * well have created the object.
 */
export function isStripeRefusal(err: unknown): boolean {
  if (!(err instanceof Stripe.errors.StripeError) || isStripeUnavailable(err)) return false;
  if (err instanceof Stripe.errors.StripeIdempotencyError) return false;
  const status = err.statusCode ?? 0;
  return status >= 400 && status < 500 && status !== 409;
}

export function toProviderError(
  err: unknown,
  log: { warn(obj: object, msg: string): void },
  operation: string,
): AppError {
  const stripeError = err instanceof Stripe.errors.StripeError ? err : undefined;
  log.warn(
    {
      operation,
      stripeRequestId: stripeError?.requestId,
      stripeType: stripeError?.type,
      stripeCode: stripeError?.code,
      statusCode: stripeError?.statusCode,
      err: stripeError ? undefined : err,
    },
    `Stripe call failed: ${operation}`,
  );
  if (isStripeUnavailable(err)) {
    return new AppError(
      'PAYMENT_PROVIDER_UNAVAILABLE',
      'The payment provider is unavailable right now; try again in a moment',
      { retryable: true },
    );
  }
  return new AppError('PAYMENT_PROVIDER_ERROR', 'The payment provider refused the request', {
    providerCode: stripeError?.code ?? null,
  });
}
