/**
 * The HTTP surface: Fastify with Apollo Server at /graphql (Sandbox on GET in
 * development), health and readiness probes, and the Stripe webhook route in
 * its own encapsulated scope that reads raw bytes (signatures are computed over
 * the exact body, so the JSON parser must never touch it).
 */
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/token-verifier';
import { createLoaders, type Database } from '../db';
import { formatError } from '../errors';
import type { RequestContext } from './request-context';

export interface HttpServerDeps {
  schema: GraphQLSchema;
  db: Database;
  tokens: TokenVerifier;
  logger: Logger;
  /** Sandbox landing page on GET /graphql */
  sandbox: boolean;
  introspection: boolean;
  /** routes of POST /webhooks/stripe, registered in the raw-body scope */
  webhookRoutes?: FastifyPluginAsync;
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
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const apollo = new ApolloServer<RequestContext>({
    schema: deps.schema,
    introspection: deps.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    logger: deps.logger,
    formatError: (formatted, error) => {
      const requestId = (error as { requestId?: string } | undefined)?.requestId;
      return formatError(formatted, error, requestId, deps.logger);
    },
    plugins: [
      fastifyApolloDrainPlugin(app),
      deps.sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
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
    context: async (request: FastifyRequest): Promise<RequestContext> => ({
      requestId: request.id,
      user: await deps.tokens.userFromHeader(request.headers.authorization),
      log: request.log,
      loaders: createLoaders(deps.db.prisma),
    }),
  });

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

  // The raw-body scope: its own content-type parsers, so the body arrives as the exact bytes Stripe signed.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    if (deps.webhookRoutes) await scope.register(deps.webhookRoutes);
  });

  return app;
}
