import type { FastifyBaseLogger } from 'fastify';
import { requireUser } from '../auth/access';
import type { Caller } from '../auth/caller';
import type { AuthUser } from '../auth/user';
import type { Loaders } from '../db';

/** What every resolver gets: who calls, the request's correlation id and logger, and per-request loaders. */
export interface RequestContext {
  requestId: string;
  user: AuthUser | null;
  log: FastifyBaseLogger;
  loaders: Loaders;
  /** the client's address (behind TRUST_PROXY, the forwarded one) and user agent */
  ip?: string;
  userAgent?: string;
}

/** The caller as services see it (no HTTP below the resolvers); UNAUTHENTICATED without a token. */
export const callerOf = (ctx: RequestContext): Caller => ({
  user: requireUser(ctx.user),
  requestId: ctx.requestId,
  log: ctx.log,
  ...(ctx.ip !== undefined ? { ip: ctx.ip } : {}),
  ...(ctx.userAgent !== undefined ? { userAgent: ctx.userAgent } : {}),
});
