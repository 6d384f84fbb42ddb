/**
 * The service's Prometheus metrics (prom-client), defined in one place. Labels
 * are bounded: no ids, and every value comes from a fixed set (a Stripe failure
 * code or event type we do not know is `other`; a GraphQL operation is named by
 * its root field, which the schema bounds, never by the client's operation name).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';

const FAILURE_CODES = new Set([
  'card_declined',
  'insufficient_funds',
  'expired_card',
  'incorrect_cvc',
  'incorrect_number',
  'processing_error',
  'authentication_required',
  'payment_intent_authentication_failure',
  'payment_method_not_available',
  'generic_decline',
  'test_mode_live_card',
  'resource_missing',
  'session_not_created',
  'payment_failed',
]);

const WEBHOOK_TYPES = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'payment_intent.payment_failed',
  'charge.refunded',
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'customer.updated',
  'customer.deleted',
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.updated',
  'customer.subscription.deleted',
]);

export const bounded = (value: string | null | undefined, known: ReadonlySet<string>) => (value && known.has(value) ? value : 'other');

/** Stripe's URL paths, ids taken out: /v1/checkout/sessions/cs_test_… /expire → /v1/checkout/sessions/:id/expire */
export function stripeEndpoint(method: string, path: string): string {
  const clean = path.split('?')[0].replace(/\/(?:[a-z]{2,6}_[A-Za-z0-9_]+|\d+)(?=\/|$)/g, '/:id');
  return `${method.toUpperCase()} ${clean}`;
}

export class Metrics {
  readonly registry = new Registry();

  private readonly checkoutSessions = new Counter({
    name: 'bpa_checkout_sessions_created_total',
    help: 'Checkout Sessions created at Stripe, by attempt number',
    labelNames: ['attempt'],
    registers: [this.registry],
  });
  private readonly paymentsSucceeded = new Counter({ name: 'bpa_payments_succeeded_total', help: 'Payment attempts that succeeded', registers: [this.registry] });
  private readonly paymentsFailed = new Counter({
    name: 'bpa_payments_failed_total',
    help: 'Payment attempts that failed or were declined, by failure code',
    labelNames: ['failure_code', 'final'],
    registers: [this.registry],
  });
  private readonly timeToPay = new Histogram({
    name: 'bpa_payment_time_to_pay_seconds',
    help: 'From the checkout attempt being started to its payment succeeding',
    buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 86_400],
    registers: [this.registry],
  });
  private readonly webhookEvents = new Counter({
    name: 'bpa_webhook_events_total',
    help: 'Stripe events by type and result: received, PROCESSED, IGNORED, FAILED (a try that will be retried)',
    labelNames: ['type', 'result'],
    registers: [this.registry],
  });
  private readonly webhookLatency = new Histogram({
    name: 'bpa_webhook_processing_seconds',
    help: 'From receipt to processed, per event',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
    registers: [this.registry],
  });
  private readonly graphqlOperations = new Counter({
    name: 'bpa_graphql_operations_total',
    help: 'GraphQL operations by root field and outcome (ok, or the error code)',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });
  private readonly graphqlLatency = new Histogram({
    name: 'bpa_graphql_operation_seconds',
    help: 'GraphQL operation latency by root field',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  private readonly stripeCalls = new Counter({
    name: 'bpa_stripe_requests_total',
    help: 'HTTP requests to Stripe by endpoint and outcome (done, refused, rate_limited, unknown), each retry included',
    labelNames: ['endpoint', 'outcome'],
    registers: [this.registry],
  });
  private readonly stripeLatency = new Histogram({
    name: 'bpa_stripe_request_seconds',
    help: 'HTTP request latency to Stripe by endpoint',
    labelNames: ['endpoint'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly stripeRetries = new Counter({
    name: 'bpa_stripe_retries_total',
    help: 'Requests sending an idempotency key already sent in the last two minutes: the SDK retrying, or a re-send after an unknown outcome',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly stripeReplays = new Counter({
    name: 'bpa_stripe_idempotent_replays_total',
    help: 'Answers Stripe replayed from an idempotency key (the request had already been done)',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly jobs = new Counter({
    name: 'bpa_jobs_total',
    help: 'Background job runs by job and outcome (ok, failed)',
    labelNames: ['job', 'outcome'],
    registers: [this.registry],
  });
  private readonly reconciliationRepairs = new Counter({
    name: 'bpa_reconciliation_repairs_total',
    help: 'Differences with Stripe the reconciliation repaired (alert when this moves)',
    registers: [this.registry],
  });
  private readonly notifications = new Counter({
    name: 'bpa_notifications_total',
    help: 'Notifications by kind and outcome (sent, failed)',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics: boolean } = { defaultMetrics: true }) {
    // Node's own: CPU, memory, event loop lag, handles, GC
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The database pool, read at each scrape. */
  watchPool(pool: pg.Pool): void {
    new Gauge({
      name: 'bpa_db_pool_connections',
      help: 'Connections of the PostgreSQL pool, by state (total, idle, waiting clients)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  checkoutSessionCreated(attempt: number): void {
    this.checkoutSessions.inc({ attempt: String(Math.min(Math.max(attempt, 1), 3)) });
  }

  paymentSucceeded(secondsSinceStart: number): void {
    this.paymentsSucceeded.inc();
    this.timeToPay.observe(Math.max(0, secondsSinceStart));
  }

  /** `final`: the attempt ended (FAILED); otherwise a decline the guest may follow with another card. */
  paymentFailed(code: string | null, final: boolean): void {
    this.paymentsFailed.inc({ failure_code: bounded(code, FAILURE_CODES), final: String(final) });
  }

  webhookEvent(type: string, result: 'received' | 'PROCESSED' | 'IGNORED' | 'FAILED', secondsSinceReceipt?: number): void {
    this.webhookEvents.inc({ type: bounded(type, WEBHOOK_TYPES), result });
    if (secondsSinceReceipt !== undefined) this.webhookLatency.observe(Math.max(0, secondsSinceReceipt));
  }

  graphqlOperation(operation: string, outcome: string, seconds: number): void {
    this.graphqlOperations.inc({ operation, outcome });
    this.graphqlLatency.observe({ operation }, seconds);
  }

  stripeRequest(endpoint: string, outcome: 'done' | 'refused' | 'rate_limited' | 'unknown', seconds: number, flags: { retry: boolean; replayed: boolean }): void {
    this.stripeCalls.inc({ endpoint, outcome });
    this.stripeLatency.observe({ endpoint }, seconds);
    if (flags.retry) this.stripeRetries.inc({ endpoint });
    if (flags.replayed) this.stripeReplays.inc({ endpoint });
  }

  job(name: string, outcome: 'ok' | 'failed'): void {
    this.jobs.inc({ job: name, outcome });
  }

  repaired(count: number): void {
    if (count > 0) this.reconciliationRepairs.inc(count);
  }

  notification(kind: string, outcome: 'sent' | 'failed'): void {
    this.notifications.inc({ kind, outcome });
  }
}

/** Metrics nobody scrapes (scripts): the same calls, recorded nowhere that matters. */
export const unusedMetrics = () => new Metrics({ defaultMetrics: false });
