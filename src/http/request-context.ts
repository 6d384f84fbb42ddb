import type { FastifyBaseLogger } from 'fastify';
import type { AuthUser } from '../auth/user';
import type { Loaders } from '../db';

/** What every resolver gets: who calls, the request's correlation id and logger, and per-request loaders. */
export interface RequestContext {
  requestId: string;
  user: AuthUser | null;
  log: FastifyBaseLogger;
  loaders: Loaders;
}
