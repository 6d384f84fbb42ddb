/**
 * The Stripe SDK's own HTTP client, observed: every request it makes (each of its
 * retries included) is counted by endpoint and outcome, timed, and told apart as
 * a retry (an idempotency key sent again within two minutes) or an idempotent
 * replay (Stripe's `Idempotent-Replayed` answer). The SDK keeps doing its retries
 * and idempotency; this only watches.
 */
import { LRUCache } from 'lru-cache';
import Stripe from 'stripe';
import type { Clock } from '../common/clock';
import { type Metrics, stripeEndpoint } from './metrics';

export function observedStripeHttpClient(metrics: Metrics, clock: Clock): Stripe.HttpClient {
  const inner = Stripe.createNodeHttpClient();
  const recentKeys = new LRUCache<string, true>({ max: 50_000, ttl: 120_000, ttlAutopurge: false });
  const observed = Object.create(inner) as Stripe.HttpClient;
  observed.makeRequest = async (host, port, path, method, headers, requestData, protocol, timeout) => {
    const endpoint = stripeEndpoint(method, path);
    const key = headers['Idempotency-Key'];
    const retry = typeof key === 'string' && recentKeys.has(key);
    if (typeof key === 'string') recentKeys.set(key, true);
    const started = clock.now().getTime();
    const seconds = () => (clock.now().getTime() - started) / 1000;
    try {
      const response = await inner.makeRequest(host, port, path, method, headers, requestData, protocol, timeout);
      const status = response.getStatusCode();
      const outcome = status < 400 ? 'done' : status === 429 ? 'rate_limited' : status < 500 && status !== 409 ? 'refused' : 'unknown';
      const replayed = String(response.getHeaders()['idempotent-replayed'] ?? '') === 'true';
      metrics.stripeRequest(endpoint, outcome, seconds(), { retry, replayed });
      return response;
    } catch (err) {
      metrics.stripeRequest(endpoint, 'unknown', seconds(), { retry, replayed: false });
      throw err;
    }
  };
  return observed;
}
