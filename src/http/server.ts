/**
 * The HTTP surface: Fastify with Apollo Server at /graphql (Sandbox on GET in
 * development, GraphiQL at /graphiql), health and readiness probes, and the
 * Stripe webhook route in its own encapsulated scope that reads raw bytes
 * (signatures are computed over the exact body, so the JSON parser must never
 * touch it). Every route gets security headers and a rate-limit budget; GraphQL
 * requests pass the query limits and the strict-input check before any resolver.
 * WebSocket upgrades of /graphql carry the subscriptions (src/live), under the
 * same limits; their sockets are closed first when the server closes.
 */
import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/token-verifier';
import type { Clock } from '../common/clock';
import type { LiveSubscriptions } from '../live/live-status';
import { startSubscriptionServer, type SubscriptionLimits } from '../live/subscription-server';
import type { GraphQLLimits, RateLimitConfig } from '../config';
import { createLoaders, type Database } from '../db';
import { formatError } from '../errors';
import { registerGraphiQL, sandboxLandingPage, type ExplorerOptions } from './explorer';
import { graphqlLimits } from './graphql-limits';
import { registerRateLimits, type FailureLimiter } from './rate-limits';
import type { RequestContext } from './request-context';
import { registerSecurityHeaders } from './security-headers';
import { strictInputPlugin } from './strict-input';

/** What the webhook routes get from the server: the per-IP limit on failed signature checks. */
export interface WebhookRouteOptions {
  signatureFailures: FailureLimiter;
}

export interface HttpServerDeps {
  schema: GraphQLSchema;
  db: Database;
  tokens: TokenVerifier;
  logger: Logger;
  /** Sandbox landing page on GET /graphql */
  sandbox: boolean;
  /** GraphiQL on GET /graphiql; undefined: not served */
  graphiql?: ExplorerOptions;
  introspection: boolean;
  fieldSuggestions: boolean;
  graphqlLimits: GraphQLLimits;
  /** more Apollo plugins (metrics) */
  graphqlPlugins?: ApolloServerPlugin<RequestContext>[];
  rateLimits: RateLimitConfig;
  /** shared rate-limit counters (REDIS_URL) */
  redis?: Redis;
  trustProxy: boolean;
  /** routes of POST /webhooks/stripe, registered in the raw-body scope */
  webhookRoutes?: FastifyPluginAsync<WebhookRouteOptions>;
  /** other feature routes (HTML pages), registered with the JSON parser */
  routes?: FastifyPluginAsync[];
  /** GraphQL subscriptions over WebSocket on /graphql (src/live); undefined: none */
  subscriptions?: {
    live: LiveSubscriptions;
    perSubject: SubscriptionLimits;
    clock: Clock;
    clockSkewSeconds: number;
    production: boolean;
  };
}

// An incoming x-request-id is kept only if it is a sane token (it is logged and echoed).
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

export async function createHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: requestIdOf,
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    trustProxy: deps.trustProxy,
  });
  // Who calls GraphQL, known before the rate limiter counts the request (per subject, else per IP).
  // An invalid token is kept as its error: the context refuses the request with it.
  // One synchronous hook: a token verified before costs no promise.
  app.decorateRequest('authUser', null);
  const authErrors = new WeakMap<FastifyRequest, unknown>();
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (request.routeOptions.url !== '/graphql') return done();
    const known = deps.tokens.knownUser(request.headers.authorization);
    if (known !== undefined) {
      request.authUser = known;
      return done();
    }
    deps.tokens.userFromHeader(request.headers.authorization).then(
      (user) => {
        request.authUser = user;
        done();
      },
      (err: unknown) => {
        authErrors.set(request, err);
        done();
      },
    );
  });

  await registerSecurityHeaders(app, { sandbox: deps.sandbox });
  const rateLimits = await registerRateLimits(app, deps.rateLimits, deps.redis);

  const limits = graphqlLimits<RequestContext>(deps.schema, deps.graphqlLimits, { fieldSuggestions: deps.fieldSuggestions });
  // WebSocket upgrades of /graphql on Fastify's own HTTP server; the sockets are closed before the server stops listening
  const subscriptions = deps.subscriptions
    ? startSubscriptionServer({
        ...deps.subscriptions,
        httpServer: app.server,
        path: '/graphql',
        schema: deps.schema,
        tokens: deps.tokens,
        logger: deps.logger,
        limits,
        trustProxy: deps.trustProxy,
        newLoaders: () => createLoaders(deps.db),
      })
    : undefined;
  if (subscriptions) app.addHook('preClose', () => subscriptions.dispose());
  const apollo = new ApolloServer<RequestContext>({
    schema: deps.schema,
    introspection: deps.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    logger: deps.logger,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    formatError: (formatted, error) => {
      const requestId = (error as { requestId?: string } | undefined)?.requestId;
      return formatError(formatted, error, requestId, deps.logger);
    },
    plugins: [
      // no cache hints are used; without it Apollo does not wrap every field's resolver to collect them
      ApolloServerPluginCacheControlDisabled(),
      fastifyApolloDrainPlugin(app),
      ...(subscriptions ? [subscriptions.drainPlugin as ApolloServerPlugin<RequestContext>] : []),
      deps.sandbox ? sandboxLandingPage<RequestContext>() : ApolloServerPluginLandingPageDisabled(),
      ...limits.plugins,
      strictInputPlugin<RequestContext>(),
      ...(deps.graphqlPlugins ?? []),
      {
        // Unexpected errors are answered with the correlation id: attach it before formatError.
        async requestDidStart({ contextValue }) {
          return {
            async didEncounterErrors({ errors }) {
              for (const error of errors) (error as { requestId?: string }).requestId = contextValue.requestId;
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    context: async (request: FastifyRequest): Promise<RequestContext> => {
      if (authErrors.has(request)) throw authErrors.get(request);
      const userAgent = request.headers['user-agent'];
      return {
        requestId: request.id,
        user: request.authUser,
        log: request.log,
        loaders: createLoaders(deps.db),
        ip: request.ip,
        ...(userAgent !== undefined ? { userAgent } : {}),
      };
    },
  });

  if (deps.graphiql) await registerGraphiQL(app, deps.graphiql);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      await deps.db.ping();
      return { status: 'ready', database: 'ok' };
    } catch (err) {
      request.log.warn({ err }, 'readiness check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });
  for (const routes of deps.routes ?? []) await app.register(routes);

  // The raw-body scope: its own content-type parsers, so the body arrives as the exact bytes Stripe signed.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    const signatureFailures = rateLimits.failureLimiter(scope, 'webhookSignatureFailures', 'webhook-signature-failures');
    if (deps.webhookRoutes) await scope.register(deps.webhookRoutes, { signatureFailures });
  });

  return app;
}
