/**
 * The Stripe SDK client: Stripe itself, any Stripe-compatible API at
 * STRIPE_API_URL, or the built-in emulator. The payment code cannot tell which.
 * Network retries (with idempotency keys) and timeouts are the SDK's own.
 */
import Stripe from 'stripe';

export interface StripeClientOptions {
  secretKey: string;
  /** base URL of a Stripe-compatible API; undefined for api.stripe.com */
  apiUrl?: string;
  maxNetworkRetries: number;
  timeoutMs: number;
  /** the SDK's HTTP client, observed for metrics (src/metrics/stripe-http-client.ts) */
  httpClient?: Stripe.HttpClient;
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  const endpoint = options.apiUrl ? new URL(options.apiUrl) : undefined;
  return new Stripe(options.secretKey, {
    maxNetworkRetries: options.maxNetworkRetries,
    timeout: options.timeoutMs,
    appInfo: { name: 'booking-payment-api' },
    telemetry: false,
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
    ...(endpoint
      ? {
          host: endpoint.hostname,
          port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)),
          protocol: endpoint.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}

export type { Stripe };
