/**
 * The service, started in-process on a random port for one test file, with its
 * own clean database, called over HTTP like any client.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pino from 'pino';
import Stripe from 'stripe';
import type { FastifyPluginAsync } from 'fastify';
import type { StripeEmulator, StripeEmulatorOptions } from '../../src/emulator';
import { createApp, type App } from '../../src/app';
import { signToken } from '../../src/auth/token-verifier';
import type { Role } from '../../src/auth/user';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db';
import { openTestDatabase } from './test-database';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

export const TEST_PUBLIC_URL = 'http://localhost:3000';

export interface TestServer {
  url: string;
  app: App;
  db: Database;
  emulator: StripeEmulator;
  /** an SDK client on the same emulator, to look at what the service did there */
  stripe: Stripe;
  /** POSTs a webhook body signed like Stripe (override secret/timestamp/signature to forge one) */
  sendWebhook(
    payload: string | object,
    options?: { secret?: string; timestamp?: number; signature?: string | null },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  token(sub: string, role: Role): Promise<string>;
  /** a typed GraphQL call; `token` goes in the Authorization header */
  gql<TData, TVars>(
    document: TypedDocumentNode<TData, TVars>,
    variables: TVars,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<TData>>;
  /** Stops the emulator's deliveries to this service; `resume` delivers what was held back. */
  pauseWebhooks(): { resume(): Promise<void> };
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** overrides of the emulator's test delays */
  emulator?: Partial<StripeEmulatorOptions>;
  /** more routes, as a feature would add them */
  routes?: FastifyPluginAsync[];
}

export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const db = await openTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: TEST_PUBLIC_URL,
    // tests run the jobs' work themselves (app.reconciliation), when they choose
    JOBS_ENABLED: 'false',
    ...env,
  });
  const logger = pino({ level: config.logLevel });
  const app = await createApp(config, {
    db,
    logger,
    emulator: { webhookRetryDelaysMs: [200, 400, 800], asyncPaymentDelayMs: 300, ...options.emulator },
    routes: options.routes,
  });
  const url = await app.listen();
  const emulator = app.emulator!;
  const stripe = new Stripe('sk_test_tests', {
    host: '127.0.0.1',
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return {
    url,
    app,
    db,
    emulator,
    stripe,
    async sendWebhook(payload, options = {}) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const signature =
        options.signature === undefined
          ? stripe.webhooks.generateTestHeaderString({
              payload: body,
              secret: options.secret ?? emulator.webhookSecret,
              timestamp: options.timestamp,
            })
          : options.signature;
      const response = await fetch(`${url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'stripe-signature': signature }) },
        body,
      });
      return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    },
    token: (sub, role) => signToken(TEST_JWT_SECRET, { id: sub, role }),
    async gql(document, variables, options = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as { data?: never; errors?: never };
      return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
    },
    pauseWebhooks() {
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
    async close() {
      await app.close();
      await db.close();
    },
  };
}
