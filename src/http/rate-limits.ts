/**
 * Rate limits (@fastify/rate-limit): every route draws on one budget of
 * requests per minute, counted per caller: the authenticated subject where the
 * request carries a valid bearer token, else the client's IP. Each route keeps
 * its own counters. Counters live in this process's memory, or in Redis when
 * REDIS_URL is set, so that every instance shares them.
 *
 * Adding a route means adding one line to ROUTE_BUDGETS: a route that is not
 * listed stops the server at start, so no route is ever unlimited by mistake.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../config';

export type Budget = keyof RateLimitConfig['perMinute'];

/** The budget of each route, by its path as registered. */
export const ROUTE_BUDGETS: Readonly<Record<string, Budget>> = {
  '/graphql': 'graphql',
  '/webhooks/stripe': 'webhook',
  '/healthz': 'health',
  '/readyz': 'health',
  // SPEC's payment links (no JWT): not built yet, its budget is ready
  '/pay/:token': 'paymentLink',
  '/graphiql': 'pages',
  '/graphiql/assets/:asset': 'pages',
  '/reservations/:reservationId/payment/success': 'pages',
  '/reservations/:reservationId/payment/cancelled': 'pages',
  '/reservations/:reservationId/payment/state': 'pages',
  '/payment-pages/graphql-ws.js': 'pages',
  // the admin console (src/http/admin-console.ts); its GraphQL calls draw on the graphql budget
  '/admin': 'pages',
  '/admin/': 'pages',
  '/admin/assets/*': 'pages',
  '/admin/development-token': 'pages',
};

const WINDOW_MS = 60_000;

/** The answer to a request over its budget: 429 (headers Retry-After and ratelimit-* are set by the plugin). */
export class RateLimitedError extends Error {
  readonly statusCode = 429;
  constructor(
    readonly retryAfterSeconds: number,
    readonly graphql: boolean,
  ) {
    super(`Too many requests: try again in ${retryAfterSeconds} s`);
  }

  body(): object {
    const extensions = { code: 'RATE_LIMITED', retryAfter: this.retryAfterSeconds };
    return this.graphql ? { errors: [{ message: this.message, extensions }] } : { error: this.message, ...extensions };
  }
}

/** Who is counted: the subject of a valid token (set by the auth hook before the limiter), else the IP. */
export const callerKey = (request: FastifyRequest): string =>
  request.authUser ? `sub:${request.authUser.id}` : `ip:${request.ip}`;

export interface RateLimits {
  /** counts failures only: refuses the caller's IP while it is over `budget` failures in a minute */
  failureLimiter(app: FastifyInstance, budget: Budget, name: string): FailureLimiter;
}

export interface FailureLimiter {
  /** null when the request may proceed, else the seconds until it may */
  blocked(request: FastifyRequest, reply: FastifyReply): Promise<RateLimitedError | null>;
  record(request: FastifyRequest): Promise<void>;
}

const noFailureLimit: FailureLimiter = { blocked: async () => null, record: async () => undefined };

/**
 * Registers the limiter on `app`; call before any route is added (budgets are
 * attached as routes are registered).
 */
export async function registerRateLimits(app: FastifyInstance, config: RateLimitConfig, redis?: Redis): Promise<RateLimits> {
  app.addHook('onRoute', (route) => {
    const budget = ROUTE_BUDGETS[route.url ?? ''];
    if (!budget) throw new Error(`route ${route.method} ${route.url} has no rate-limit budget: add it to ROUTE_BUDGETS (src/http/rate-limits.ts)`);
    if (!config.enabled) return;
    route.config = {
      ...route.config,
      rateLimit: { max: config.perMinute[budget], timeWindow: WINDOW_MS, keyGenerator: callerKey },
    };
  });
  if (!config.enabled) return { failureLimiter: () => noFailureLimit };

  await app.register(rateLimit, {
    global: false,
    enableDraftSpec: true, // ratelimit-limit / -remaining / -reset, and retry-after
    redis,
    nameSpace: config.redisKeyPrefix,
    // Redis unreachable: serve rather than refuse everyone (it is logged by the client)
    skipOnError: true,
    errorResponseBuilder: (request, context) =>
      new RateLimitedError(Math.max(1, Math.ceil(context.ttl / 1000)), request.routeOptions.url === '/graphql'),
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof RateLimitedError) return reply.code(429).send(error.body());
    return reply.send(error);
  });

  return {
    failureLimiter(scope, budget, name) {
      const limiter = scope.createRateLimit({
        max: config.perMinute[budget],
        timeWindow: WINDOW_MS,
        keyGenerator: (request) => `${name}:ip:${request.ip}`,
        skipOnError: true,
      });
      return {
        async blocked(request, reply) {
          const state = await limiter(request, { increment: false });
          if (state.isAllowed) return null;
          const failures = state.max - state.remaining;
          if (failures < state.max) return null;
          const retryAfter = Math.max(1, state.ttlInSeconds);
          reply.header('ratelimit-limit', state.max).header('ratelimit-remaining', 0);
          reply.header('ratelimit-reset', retryAfter).header('retry-after', retryAfter);
          return new RateLimitedError(retryAfter, false);
        },
        async record(request) {
          await limiter(request);
        },
      };
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the caller of a request with a valid bearer token (GraphQL), for rate limits and the context */
    authUser: import('../auth/user').AuthUser | null;
  }
}
