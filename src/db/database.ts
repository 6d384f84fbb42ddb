/**
 * The one way into the database: a Prisma client on the pg driver adapter, for a
 * real PostgreSQL server (DATABASE_URL) or the embedded one. Every repository,
 * loader and migration goes through the Database returned here.
 */
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import { Sql } from './sql';
import { applyMigrations } from './migrations';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

export type { PrismaClient };
export type Prisma = PrismaClient;

export interface QueryEvent {
  query: string;
  durationMs: number;
}

export interface Database {
  prisma: PrismaClient;
  /** the pg pool under Prisma, for the statements written by hand (src/db/store.ts, src/db/sql.ts) */
  pool: pg.Pool;
  /** hand-written statements on a connection of the pool (or the pool itself), seen by onQuery's listeners */
  sqlOn(client: pg.Pool | pg.PoolClient): Sql;
  url: string;
  /** true when this is the embedded PGlite database */
  embedded: boolean;
  /** SELECT 1, for readiness */
  ping(): Promise<void>;
  /** Registers a listener for every SQL statement Prisma runs (statement counts in tests). */
  onQuery(listener: (event: QueryEvent) => void): () => void;
  /**
   * Registers a listener for NOTIFY messages that reach the pool's connections. On a
   * server they never do (those sessions do not LISTEN); the embedded database is one
   * session, so there a notification arrives on the connection that committed it.
   */
  onNotification(listener: (channel: string, payload: string | undefined) => void): () => void;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; undefined starts the embedded database */
  url?: string;
  /** where the embedded database keeps its files; undefined keeps it in memory */
  dataDir?: string;
  /** apply pending migrations before returning (always for the embedded database) */
  migrate?: boolean;
  poolSize?: number;
  /** told about connections that failed while idle (they are replaced on next use) */
  onIdleError?: (err: Error) => void;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = options.url;
  if (!url) {
    embedded = await startEmbeddedPostgres(options.dataDir);
    url = embedded.url;
  }
  const pool = new pg.Pool({
    connectionString: url,
    // PGlite is a single session (see embedded-postgres.ts)
    max: embedded ? 1 : (options.poolSize ?? 10),
    allowExitOnIdle: true,
  });
  // An idle connection dropped by the server (restart, failover, DROP DATABASE in tests)
  // must not crash the process: pg emits it on the pool, and the next query reconnects.
  pool.on('error', (err) => options.onIdleError?.(err));
  const notificationListeners = new Set<(channel: string, payload: string | undefined) => void>();
  pool.on('connect', (client) =>
    client.on('notification', (message) => {
      for (const listener of notificationListeners) listener(message.channel, message.payload);
    }),
  );
  try {
    if (embedded || options.migrate) {
      const client = await pool.connect();
      try {
        await applyMigrations(client);
      } finally {
        client.release();
      }
    }
  } catch (err) {
    await pool.end();
    await embedded?.close();
    throw err;
  }

  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    log: [{ emit: 'event', level: 'query' }],
  });
  const listeners = new Set<(event: QueryEvent) => void>();
  prisma.$on('query', (e) => {
    for (const listener of listeners) listener({ query: e.query, durationMs: e.duration });
  });

  const observe = (query: string) => {
    for (const listener of listeners) listener({ query, durationMs: 0 });
  };
  return {
    prisma,
    pool,
    sqlOn: (client) => new Sql(client, observe),
    url,
    embedded: Boolean(embedded),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    onQuery(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onNotification(listener) {
      notificationListeners.add(listener);
      return () => notificationListeners.delete(listener);
    },
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
      await embedded?.close();
    },
  };
}
