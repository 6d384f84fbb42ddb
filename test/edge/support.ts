/** Raw GraphQL calls for the edge tests: documents the typed operations would never send. */
import pino from 'pino';
import { createApp } from '../../src/app';
import { signToken } from '../../src/auth/token-verifier';
import type { Role } from '../../src/auth/user';
import { loadConfig } from '../../src/config';
import { openTestDatabase } from '../support/test-database';
import { TEST_JWT_SECRET, TEST_PUBLIC_URL, type TestServer } from '../support/test-server';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

export async function rawGql(
  server: TestServer,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as RawResponse['body'] };
}

/** A createReservation mutation text (ADMIN), to show that a refused request wrote nothing. */
export const createReservationText = (description = 'Double room', guestId = 'guest-1') =>
  `createReservation(input: { guestId: ${JSON.stringify(guestId)}, description: ${JSON.stringify(description)}, checkIn: "2031-06-01T15:00:00Z", checkOut: "2031-06-03T11:00:00Z", amount: 24000 }) { id }`;

/**
 * The service as configured in production (NODE_ENV=production, a real-looking
 * Stripe key and PUBLIC_URL), in-process on a random port. Stripe is never
 * called by the tests that use it.
 */
export async function startProductionServer(env: Record<string, string> = {}) {
  const db = await openTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    STRIPE_SECRET_KEY: 'sk_test_unused_in_these_tests',
    STRIPE_WEBHOOK_SECRET: 'whsec_unused_in_these_tests',
    STRIPE_API_URL: 'http://127.0.0.1:9',
    PUBLIC_URL: TEST_PUBLIC_URL,
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createApp(config, { db, logger: pino({ level: 'silent' }) });
  const url = await app.listen();
  return {
    url,
    app,
    db,
    token: (sub: string, role: Role) => signToken(TEST_JWT_SECRET, { id: sub, role }),
    async close() {
      await app.close();
      await db.close();
    },
  };
}
