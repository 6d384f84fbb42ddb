/**
 * The composition root: builds the database, services, resolvers and HTTP server
 * from the configuration. Used by main.ts and, unchanged, by the tests.
 */
import 'reflect-metadata';
import path from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { TokenVerifier, signToken } from './auth/token-verifier';
import { ConfigError, type Config } from './config';
import { createLoaders, openDatabase, type Database } from './db';
import { adminConsoleRoutes } from './http/admin-console';
import { createHttpServer } from './http/server';
import { createLogger } from './logger';
import { systemClock, type Clock } from './common/clock';
import type { StripeEmulator, StripeEmulatorOptions } from './emulator';
import { startJobs, type JobRunner } from './jobs/job-runner';
import { CheckoutUrls } from './payments/checkout-urls';
import { AuditResolver } from './audit/audit.resolver';
import { AuditService } from './audit/audit.service';
import { PaymentSearchResolver } from './payments/payment-search.resolver';
import { PaymentSearchService } from './payments/payment-search.service';
import { PaymentResolver } from './payments/payment.resolver';
import { ConsistencyResolver } from './reconciliation/consistency.resolver';
import { RefundQuoteResolver } from './refunds/refund-quote.resolver';
import { RefundQuoteService } from './refunds/refund-quote.service';
import { RefundResolver } from './refunds/refund.resolver';
import { ReservationResolver } from './reservations/reservation.resolver';
import { buildAppSchema, type ResolverRegistry } from './schema';
import { createServices } from './services';
import type { ConsistencyService } from './reconciliation/consistency.service';
import type { ReconciliationService } from './reconciliation/reconciliation.service';
import type { WebhookWorker } from './webhooks/webhook-worker';
import { createStripeClient } from './stripe/stripe-client';
import { Metrics } from './metrics/metrics';
import { graphqlMetricsPlugin } from './metrics/graphql-metrics.plugin';
import { MetricsPortInUseError, startMetricsServer, type MetricsServer } from './metrics/metrics-server';
import { observedStripeHttpClient } from './metrics/stripe-http-client';
import type { RequestContext } from './http/request-context';
import { webhookRoutes } from './webhooks/webhook.routes';
import { PageAccess } from './payment-pages/page-access';
import { PaymentResultService } from './payment-pages/payment-result.service';
import { paymentResultRoutes } from './payment-pages/payment-result.routes';
import { ResultPageCheckoutUrls } from './payment-pages/result-page-urls';
import { ChangeListener, type ChangeListenerOptions } from './live/change-listener';
import { LiveStatus } from './live/live-status';
import { LiveStatusResolver } from './live/live-status.resolver';
import { StatusFanOut } from './live/status-fan-out';

export interface App {
  config: Config;
  logger: Logger;
  db: Database;
  http: FastifyInstance;
  /** the base URL once listening */
  url?: string;
  /** the in-process Stripe emulator, when no Stripe key or API URL is configured */
  emulator?: StripeEmulator;
  /** the emulator's webhook endpoint pointing at this service */
  emulatorEndpointId?: string;
  clock: Clock;
  reconciliation: ReconciliationService;
  consistency: ConsistencyService;
  /** processes received Stripe events from the database */
  webhookWorker: WebhookWorker;
  jobs?: JobRunner;
  /** rate-limit counters shared by every instance (REDIS_URL) */
  redis?: Redis;
  /** true when this service serves the payment result pages (PUBLIC_URL unset) */
  servesResultPages: boolean;
  /** live status: this instance's LISTEN connection and its subscribers */
  live: { listener: ChangeListener; fanOut: StatusFanOut };
  /** Prometheus metrics; served by `metricsServer` on METRICS_PORT once listening */
  metrics: Metrics;
  metricsServer?: MetricsServer;
  listen(): Promise<string>;
  /** stop accepting, close the WebSockets, finish in-flight requests, stop listening for changes, close the database */
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** an already open database (tests share one per file) */
  db?: Database;
  /**
   * options of the in-process Stripe emulator (tests shorten its delays and give
   * it their clock); when absent it keeps its state under DATA_DIR/stripe-emulator
   */
  emulator?: StripeEmulatorOptions;
  /** the one clock of the service (tests pass one they can move) */
  clock?: Clock;
  /** more feature routes (each must have a budget in src/http/rate-limits.ts) */
  routes?: FastifyPluginAsync[];
  /** reconnection timing of the live-status listener (tests shorten it) */
  liveListener?: ChangeListenerOptions;
}

/** Stripe itself, a Stripe-compatible API, or the built-in emulator started here. */
async function connectStripe(config: Config, logger: Logger, clock: Clock, metrics: Metrics, emulatorOptions?: StripeEmulatorOptions) {
  let emulator: StripeEmulator | undefined;
  let apiUrl = config.stripe.apiUrl;
  let webhookSecrets = config.stripe.webhookSecrets;
  if (!config.stripe.secretKey && !apiUrl) {
    const port = config.stripe.emulatorPort;
    // loaded only when used: with a real Stripe (or STRIPE_API_URL) its 60 MB of schemas and code stay out of the process
    const { EmulatorPortInUseError, startStripeEmulator } = await import('./emulator');
    emulator = await startStripeEmulator({
      logger,
      // one clock: what the service and its emulator call "now" never drift apart
      clock,
      ...(emulatorOptions ?? { dataDir: path.join(config.dataDir, 'stripe-emulator') }),
      ...(port !== undefined ? { port } : {}),
    }).catch((err: unknown) => {
      // one clear line for the operator (main.ts prints a ConfigError without a stack)
      throw err instanceof EmulatorPortInUseError ? new ConfigError(err.message) : err;
    });
    apiUrl = emulator.url;
    if (!webhookSecrets.length) webhookSecrets = [emulator.webhookSecret];
    logger.debug({ url: emulator.url }, 'STRIPE_SECRET_KEY is not set: using the built-in Stripe emulator');
  }
  if (!webhookSecrets.length) {
    logger.warn('STRIPE_WEBHOOK_SECRET is not set: every webhook delivery will be refused');
  }
  const stripe = createStripeClient({
    secretKey: config.stripe.secretKey ?? 'sk_test_emulator',
    apiUrl,
    maxNetworkRetries: config.stripe.maxNetworkRetries,
    timeoutMs: config.stripe.timeoutMs,
    httpClient: observedStripeHttpClient(metrics, clock),
  });
  return { stripe, emulator, webhookSecrets };
}

/** The shared rate-limit counters; an unreachable Redis at start stops the start with a clear message. */
async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  // no offline queue: while Redis is away, a count fails at once and the request is served (fail open)
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'Redis (rate-limit counters) unavailable; requests are not limited meanwhile'));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new ConfigError(`REDIS_URL: cannot connect (${(err as Error).message})`);
  }
  return redis;
}

/**
 * Stops accepting, lets in-flight requests finish, and closes keep-alive
 * connections as they fall idle (a client's connection that never turns idle
 * would otherwise hold the close until Node's header timeout); after the grace
 * period whatever remains is cut.
 */
async function closeGracefully(http: FastifyInstance, graceMs = 10_000): Promise<void> {
  const sweep = setInterval(() => http.server.closeIdleConnections(), 100);
  const cut = setTimeout(() => http.server.closeAllConnections(), graceMs);
  try {
    await http.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel, config.logFormat);
  if (config.jwt.usingDevelopmentSecret) {
    logger.warn('JWT_SECRET is not set: using the built-in development secret. Never do this in production.');
  }
  const ownsDb = !options.db;
  const db =
    options.db ??
    (await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      migrate: true,
      poolSize: config.databasePoolSize,
      onIdleError: (err) => logger.warn({ err }, 'an idle database connection failed; it will be replaced'),
    }));
  if (ownsDb) logger.debug({ embedded: db.embedded }, db.embedded ? `embedded PostgreSQL under ${config.dataDir}` : 'PostgreSQL connected');

  const clock = options.clock ?? systemClock;
  const metrics = new Metrics();
  metrics.watchPool(db.pool);
  const { stripe, emulator, webhookSecrets } = await connectStripe(config, logger, clock, metrics, options.emulator);
  const redis = config.rateLimits.enabled && config.rateLimits.redisUrl ? await connectRedis(config.rateLimits.redisUrl, logger) : undefined;
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  // with no front end configured, the default redirects land on this service's own result pages
  const servesResultPages = !config.publicUrl;
  const pageAccess = PageAccess.fromSecret(config.jwt.secret);
  const checkoutUrls = servesResultPages ? new ResultPageCheckoutUrls(publicUrl, pageAccess) : new CheckoutUrls(publicUrl);

  const services = createServices({ prisma: db.prisma, db, stripe, clock, config, checkoutUrls, log: logger, metrics });
  const { reservations, checkout, payments, refunds, webhooks, webhookWorker, consistency, reconciliation } = services;
  const results = new PaymentResultService(db.prisma);
  // live status: changes committed on any instance reach this one's subscribers
  const fanOut = new StatusFanOut(() => createLoaders(db));
  const listener = new ChangeListener(db, fanOut, logger, options.liveListener);
  const live = new LiveStatus(fanOut, payments, servesResultPages ? { access: pageAccess, results } : null);
  const registry: ResolverRegistry = new Map<Function, object>([
    [ReservationResolver, new ReservationResolver(reservations)],
    [PaymentResolver, new PaymentResolver(payments, checkout)],
    [RefundResolver, new RefundResolver(refunds)],
    [ConsistencyResolver, new ConsistencyResolver(consistency, clock)],
    [LiveStatusResolver, new LiveStatusResolver(live)],
    [PaymentSearchResolver, new PaymentSearchResolver(new PaymentSearchService(db.prisma))],
    [RefundQuoteResolver, new RefundQuoteResolver(new RefundQuoteService(db.prisma, clock))],
    [AuditResolver, new AuditResolver(new AuditService(db.prisma))],
  ]);
  const schema = await buildAppSchema(registry);
  const developmentToken = async () =>
    config.env !== 'production' && config.jwt.usingDevelopmentSecret && config.jwt.secret
      ? signToken(config.jwt.secret, { id: 'developer', role: 'ADMIN' }, { expiresIn: '1h', issuer: config.jwt.issuer, audience: config.jwt.audience, now: clock.now() })
      : null;
  const http = await createHttpServer({
    schema,
    db,
    tokens: new TokenVerifier(config.jwt, clock),
    logger,
    sandbox: config.env !== 'production',
    graphiql: config.env !== 'production' ? { developmentToken } : undefined,
    introspection: config.introspection,
    fieldSuggestions: config.fieldSuggestions,
    graphqlLimits: config.graphqlLimits,
    graphqlPlugins: [graphqlMetricsPlugin<RequestContext>(metrics, clock)],
    rateLimits: config.rateLimits,
    redis,
    trustProxy: config.trustProxy,
    webhookRoutes: webhookRoutes({ stripe, secrets: () => webhookSecrets, service: webhooks, worker: webhookWorker }),
    routes: [
      ...(servesResultPages ? [paymentResultRoutes({ access: pageAccess, results })] : []),
      adminConsoleRoutes({ developmentToken }),
      ...(options.routes ?? []),
    ],
    subscriptions: {
      live,
      perSubject: { connectionsPerSubject: config.live.maxConnectionsPerSubject, subscriptionsPerSubject: config.live.maxSubscriptionsPerSubject },
      clock,
      clockSkewSeconds: config.jwt.clockSkewSeconds,
      production: config.env === 'production',
    },
  });
  await listener.start();

  const app: App = {
    config,
    logger,
    db,
    http,
    emulator,
    clock,
    reconciliation,
    consistency,
    webhookWorker,
    redis,
    servesResultPages,
    live: { listener, fanOut },
    metrics,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      app.url = `http://127.0.0.1:${port}`;
      if (config.metrics) {
        app.metricsServer = await startMetricsServer(metrics, config.metrics.host, config.metrics.port).catch((err: unknown) => {
          throw err instanceof MetricsPortInUseError ? new ConfigError(err.message) : err;
        });
      }
      // the in-process emulator delivers its events to this very service
      app.emulatorEndpointId = emulator?.addWebhookEndpoint(`${app.url}/webhooks/stripe`, webhookSecrets[0]).id;
      webhookWorker.start();
      if (config.jobsEnabled) {
        app.jobs = await startJobs({ databaseUrl: db.embedded ? undefined : db.url, reconciliation, log: logger, metrics });
        logger.debug({ runner: app.jobs.kind }, 'background jobs started');
      }
      return app.url;
    },
    async close() {
      await app.jobs?.stop();
      await closeGracefully(http);
      await webhookWorker.stop();
      fanOut.close();
      await listener.close();
      await redis?.quit().catch(() => redis.disconnect());
      await app.metricsServer?.close();
      await emulator?.close();
      if (ownsDb) await db.close();
    },
  };
  return app;
}
