/**
 * The embedded database used when DATABASE_URL is unset: PGlite (PostgreSQL
 * compiled to WebAssembly), served on a loopback port over the PostgreSQL wire
 * protocol, so that the application talks to it through exactly the same pg
 * driver adapter as to a real server.
 *
 * PGlite is a single session: the pool in front of it is sized 1, which keeps
 * transactions from interleaving. The socket server still accepts a few
 * connections, because pg's pool drops a connection after a query error and opens
 * the next one before the old socket is closed; with a limit of 1 that new
 * connection was refused and the following query failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  close(): Promise<void>;
}

export class EmbeddedDatabaseInUseError extends Error {}

/**
 * PGlite is one process's database: a second process opening the same files
 * would corrupt them. The owner writes its pid in a lock file; another process
 * (a second `npm start`, an operator command) is refused with a clear message.
 */
function takeLock(dataDir: string): () => void {
  const lock = path.join(dataDir, 'pglite.lock');
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new EmbeddedDatabaseInUseError(
        `The embedded database under ${dataDir} is in use by process ${pid} (a running \`npm start\`?). Stop it first, or set DATABASE_URL.`,
      );
    }
  } catch (err) {
    if (err instanceof EmbeddedDatabaseInUseError) throw err;
  }
  fs.writeFileSync(lock, String(process.pid));
  return () => fs.rmSync(lock, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** dataDir: a folder to persist to, or undefined for an in-memory database (tests). */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  if (dataDir) fs.mkdirSync(path.resolve(dataDir), { recursive: true });
  const release = dataDir ? takeLock(path.resolve(dataDir)) : () => undefined;
  const db = await PGlite.create(dataDir ? path.resolve(dataDir, 'pglite') : undefined);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const address = (server as unknown as { server: import('node:net').Server }).server.address();
  const port = typeof address === 'object' && address ? address.port : undefined;
  if (!port) throw new Error('embedded PostgreSQL did not report its port');
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async close() {
      await server.stop();
      await db.close();
      release();
    },
  };
}
