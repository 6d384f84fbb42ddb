/**
 * The service, started in-process on a random port for one test file, with its
 * own clean database, called over HTTP like any client.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import pino from 'pino';
import Stripe from 'stripe';
import type { FastifyPluginAsync } from 'fastify';
import { OffsetClock } from '../../src/common/clock';
import { DELIVERY_MODES, type DeliveryMode, type StripeEmulator, type StripeEmulatorOptions } from '../../src/emulator';
import { createApp, type App } from '../../src/app';
import { signToken } from '../../src/auth/token-verifier';
import { createLogger } from '../../src/logger';
import type { Role } from '../../src/auth/user';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db';
import { gqlAt, type GraphQLResponse } from './graphql-client';
import { openTestDatabase } from './test-database';

export type { GraphQLResponse } from './graphql-client';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

export const TEST_PUBLIC_URL = 'http://localhost:3000';

/**
 * How the emulator delivers webhooks to the service under test:
 * STRIPE_EMULATOR_DELIVERY=in-order (default) | concurrent | duplicating, with
 * STRIPE_EMULATOR_SEED to replay one run's random delays, order and duplicates
 * (the seed in use is `server.emulator.webhooks.seed`).
 */
export function webhookDeliveryFromEnv(env: NodeJS.ProcessEnv = process.env): { mode: DeliveryMode; maxDelayMs: number; seed?: number } {
  const mode = (env.STRIPE_EMULATOR_DELIVERY || 'in-order') as DeliveryMode;
  if (!DELIVERY_MODES.includes(mode)) {
    throw new Error(`STRIPE_EMULATOR_DELIVERY must be one of ${DELIVERY_MODES.join(', ')}, not "${env.STRIPE_EMULATOR_DELIVERY}"`);
  }
  const seed = env.STRIPE_EMULATOR_SEED ? Number(env.STRIPE_EMULATOR_SEED) : undefined;
  return { mode, maxDelayMs: 100, ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}) };
}

export interface TestServer {
  url: string;
  app: App;
  db: Database;
  emulator: StripeEmulator;
  /** the one clock of this test, the service's and the emulator's: `clock.advance(ms)` moves both */
  clock: OffsetClock;
  /** an SDK client on the same emulator, to look at what the service did there */
  stripe: Stripe;
  /** POSTs a webhook body signed like Stripe (override secret/timestamp/signature to forge one) */
  sendWebhook(
    payload: string | object,
    options?: { secret?: string; timestamp?: number; signature?: string | null },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** a token of `sub` with `role`; `orgId`: its `org` claim (none: the organization `default`) */
  token(sub: string, role: Role, orgId?: string): Promise<string>;
  /** a typed GraphQL call; `token` goes in the Authorization header */
  gql<TData, TVars>(
    document: TypedDocumentNode<TData, TVars>,
    variables: TVars,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<TData>>;
  /**
   * Waits until Stripe (the emulator) has delivered everything and the service
   * has processed everything it received, including what processing itself set
   * off (a refund's events, an expired session's).
   */
  settled(): Promise<void>;
  /** Stops the emulator's deliveries to this service; `resume` delivers what was held back. */
  pauseWebhooks(): { resume(): Promise<void> };
  /**
   * Stops the service and starts it again on the same database. `freshStripe`: with
   * an emulator that knows nothing of before (another Stripe account or mode, a reset).
   */
  restart(options?: { freshStripe?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** overrides of the emulator's test delays */
  emulator?: Partial<StripeEmulatorOptions>;
  /** more routes, as a feature would add them */
  routes?: FastifyPluginAsync[];
  /** every log line, as production writes them (JSON, redacted), at `debug` */
  logTo?: (line: string) => void;
}

export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const db = await openTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    // every test server has its own metrics port
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: TEST_PUBLIC_URL,
    // tests run the jobs' work themselves (app.reconciliation), when they choose
    JOBS_ENABLED: 'false',
    ...env,
  });
  const logTo = options.logTo;
  const logger = logTo ? createLogger('debug', 'json', { write: (line: string) => logTo(line) }) : pino({ level: config.logLevel });
  const clock = new OffsetClock();
  const boot = async () => {
    const app = await createApp(config, {
      db,
      logger,
      clock,
      // no dataDir: the emulator keeps this test's state in memory
      emulator: {
        clock,
        webhookRetryDelaysMs: [200, 400, 800],
        asyncPaymentDelayMs: 300,
        webhookDelivery: webhookDeliveryFromEnv(),
        ...options.emulator,
      },
      routes: options.routes,
    });
    const url = await app.listen();
    const emulator = app.emulator!;
    const stripe = new Stripe('sk_test_tests', { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });
    return { app, url, emulator, stripe };
  };
  const booted = await boot();
  const server: TestServer = {
    ...booted,
    db,
    clock,
    async sendWebhook(payload, options = {}) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const signature =
        options.signature === undefined
          ? server.stripe.webhooks.generateTestHeaderString({
              payload: body,
              secret: options.secret ?? server.emulator.webhookSecret,
              timestamp: options.timestamp,
            })
          : options.signature;
      const response = await fetch(`${server.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'stripe-signature': signature }) },
        body,
      });
      return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    },
    token: (sub, role, orgId) => signToken(TEST_JWT_SECRET, { id: sub, role, ...(orgId ? { orgId } : {}) }, { now: clock.now() }),
    gql: (document, variables, options = {}) => gqlAt(server.url, document, variables, options),
    async settled() {
      for (let round = 0; round < 20; round += 1) {
        const delivered = server.emulator.webhooks.deliveries.length;
        await server.emulator.webhooks.idle();
        await server.app.webhookWorker.drain();
        await server.emulator.webhooks.idle();
        if (server.emulator.webhooks.deliveries.length === delivered) return;
      }
    },
    pauseWebhooks() {
      const { app, emulator, stripe, url } = server;
      const since = emulator.clock.now();
      emulator.removeWebhookEndpoint(app.emulatorEndpointId!);
      return {
        async resume() {
          app.emulatorEndpointId = emulator.addWebhookEndpoint(`${url}/webhooks/stripe`, emulator.webhookSecret).id;
          const held = await stripe.events.list({ created: { gte: since }, limit: 100 });
          for (const event of [...held.data].reverse()) await emulator.webhooks.redeliver(event.id);
        },
      };
    },
    async restart(options = {}) {
      if (!options.freshStripe) throw new Error('restart keeps the in-memory emulator only with freshStripe: true (it has no data directory)');
      await server.app.close();
      Object.assign(server, await boot());
    },
    async close() {
      await server.app.close();
      await db.close();
    },
  };
  return server;
}
