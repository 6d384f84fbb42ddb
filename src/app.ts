/**
 * The composition root: builds the database, services, resolvers and HTTP server
 * from the configuration. Used by main.ts and, unchanged, by the tests.
 */
import 'reflect-metadata';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { TokenVerifier } from './auth/token-verifier';
import type { Config } from './config';
import { openDatabase, type Database } from './db';
import { createHttpServer } from './http/server';
import { createLogger } from './logger';
import { PaymentResolver } from './payments/payment.resolver';
import { RefundResolver } from './refunds/refund.resolver';
import { ReservationResolver } from './reservations/reservation.resolver';
import { ReservationService } from './reservations/reservation.service';
import { buildAppSchema, type ResolverRegistry } from './schema';

export interface App {
  config: Config;
  logger: Logger;
  db: Database;
  http: FastifyInstance;
  /** the base URL once listening */
  url?: string;
  listen(): Promise<string>;
  /** stop accepting, finish in-flight requests, close the database */
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** an already open database (tests share one per file) */
  db?: Database;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  if (config.jwt.usingDevelopmentSecret) {
    logger.warn('JWT_SECRET is not set: using the built-in development secret. Never do this in production.');
  }
  const ownsDb = !options.db;
  const db =
    options.db ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, migrate: true }));
  if (ownsDb) logger.info({ embedded: db.embedded }, db.embedded ? `embedded PostgreSQL under ${config.dataDir}` : 'PostgreSQL connected');

  const reservations = new ReservationService(db.prisma);
  const registry: ResolverRegistry = new Map<Function, object>([
    [ReservationResolver, new ReservationResolver(reservations)],
    [PaymentResolver, new PaymentResolver()],
    [RefundResolver, new RefundResolver()],
  ]);
  const schema = await buildAppSchema(registry);
  const http = await createHttpServer({
    schema,
    db,
    tokens: new TokenVerifier(config.jwt),
    logger,
    sandbox: config.env !== 'production',
    introspection: config.introspection,
  });

  const app: App = {
    config,
    logger,
    db,
    http,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      app.url = `http://127.0.0.1:${port}`;
      return app.url;
    },
    async close() {
      await http.close();
      if (ownsDb) await db.close();
    },
  };
  return app;
}
