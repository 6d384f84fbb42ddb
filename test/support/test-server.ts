/**
 * The service, started in-process on a random port for one test file, with its
 * own clean database, called over HTTP like any client.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pino from 'pino';
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

export interface TestServer {
  url: string;
  app: App;
  db: Database;
  token(sub: string, role: Role): Promise<string>;
  /** a typed GraphQL call; `token` goes in the Authorization header */
  gql<TData, TVars>(
    document: TypedDocumentNode<TData, TVars>,
    variables: TVars,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const db = await openTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const logger = pino({ level: config.logLevel });
  const app = await createApp(config, { db, logger });
  const url = await app.listen();
  return {
    url,
    app,
    db,
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
    async close() {
      await app.close();
      await db.close();
    },
  };
}
