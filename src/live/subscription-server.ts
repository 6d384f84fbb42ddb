/**
 * GraphQL subscriptions over WebSocket (the graphql-ws protocol,
 * `graphql-transport-ws`) on the same path as the HTTP API: Apollo's documented
 * setup (a `ws` server taking the upgrades of Fastify's HTTP server, graphql-ws's
 * `useServer`, and a drain plugin that closes the sockets when Apollo stops). Only subscriptions
 * are served here; queries and mutations stay on HTTP, where the rate limits,
 * CSRF prevention and the HTTP status codes apply.
 *
 * Who: `connectionParams.authorization` ("Bearer <token>", the key in any case,
 * also under `headers`, as GraphiQL and some clients nest it) is verified at
 * connection_init by the same TokenVerifier as HTTP. An invalid token closes the
 * socket (4403 with the reason, as HTTP answers 401); no token is a connection
 * whose subscriptions answer UNAUTHENTICATED (as HTTP answers a field error).
 * A connection is closed (4403) when its token expires: clients reconnect with
 * a fresh one. `connectionParams.pageAccess` carries the result pages' capability.
 *
 * What each subscription may ask passes the HTTP API's limits (depth, aliases,
 * directives, tokens, cost, strict strings) before it starts; errors are shaped
 * by the one error model (src/errors.ts). Per subject (token `sub`, else IP)
 * at most LIVE_MAX_CONNECTIONS_PER_SUBJECT sockets (more: closed with 4429) and
 * LIVE_MAX_SUBSCRIPTIONS_PER_SUBJECT subscriptions (more: RATE_LIMITED).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServerPlugin } from '@apollo/server';
import { CloseCode, type Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, getOperationAST, parse, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { decodeJwt } from 'jose';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TokenVerifier } from '../auth/token-verifier';
import type { AuthUser } from '../auth/user';
import type { Clock } from '../common/clock';
import { strictInputProblems } from '../http/strict-input';
import { AppError, badInputs, formatError } from '../errors';
import type { Loaders } from '../db';
import type { LiveContext } from './live-context';
import type { LiveSubscriptions } from './live-status';
import { SubjectCounter } from './subject-limits';

export interface SubscriptionLimits {
  connectionsPerSubject: number;
  subscriptionsPerSubject: number;
}

export interface SubscriptionServerDeps {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  tokens: TokenVerifier;
  clock: Clock;
  /** tokens are honoured this long past `exp`, as on HTTP */
  clockSkewSeconds: number;
  logger: Logger;
  /** the HTTP API's limits (src/http/graphql-limits.ts) */
  limits: {
    parseOptions: { maxTokens: number };
    check(document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): readonly GraphQLError[];
  };
  perSubject: SubscriptionLimits;
  trustProxy: boolean;
  live: LiveSubscriptions;
  newLoaders: () => Loaders;
  production: boolean;
  /** how long clients get to answer the server's "going away" before their sockets are cut */
  closeGraceMs?: number;
}

/** What we keep on each connection (graphql-ws's `ctx.extra`, next to its socket and request). */
type Connection = {
  socket: WebSocket;
  request: IncomingMessage;
  id?: string;
  user?: AuthUser | null;
  subject?: string;
  pageAccess?: string;
  subscriptionIds?: Set<string>;
  expiry?: NodeJS.Timeout;
};

type Ctx = Context<Record<string, unknown> | undefined, Connection>;

export interface SubscriptionServer {
  /** Apollo's drain plugin: stopping Apollo closes the sockets */
  drainPlugin: ApolloServerPlugin;
  /** says "going away" (1001) to every client, waits for their close, cuts the rest after the grace period */
  dispose(): Promise<void>;
  /** open sockets */
  readonly connectionCount: number;
}

// close reasons are limited to 123 bytes by the protocol
const reason = (text: string) => (Buffer.byteLength(text) <= 123 ? text : `${text.slice(0, 110)}…`);

function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  for (const source of [params, params?.headers]) {
    if (!source || typeof source !== 'object') continue;
    for (const [key, value] of Object.entries(source)) if (key.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return undefined;
}

function clientIp(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = request.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded.trim()) return forwarded.split(',')[0].trim();
  return request.socket.remoteAddress ?? 'unknown';
}

/** graphql-js's own errors carry no code: give them the codes Apollo gives on HTTP. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error instanceof AppError || error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

// setTimeout's longest delay; a longer token lifetime is waited for in steps
const MAX_TIMER_MS = 2 ** 31 - 1;

export function startSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const connections = new SubjectCounter(deps.perSubject.connectionsPerSubject);
  const subscriptions = new SubjectCounter(deps.perSubject.subscriptionsPerSubject);
  const log = deps.logger.child({ component: 'subscriptions' });
  // 64 KiB: far more than any subscription document within the token limit needs. No `server` option: ws
  // would re-emit the HTTP server's own errors (a port in use) as its own; upgrades are handed over below.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  let disposing: Promise<void> | null = null;
  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== deps.path) return refuse(socket, '404 Not Found');
    if (disposing) return refuse(socket, '503 Service Unavailable');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  deps.httpServer.on('upgrade', onUpgrade);

  const closeWhenExpired = (connection: Connection, expiresAtMs: number) => {
    const wait = expiresAtMs - deps.clock.now().getTime();
    if (wait <= 0) {
      connection.socket.close(CloseCode.Forbidden, 'Forbidden: the bearer token has expired');
      return;
    }
    connection.expiry = setTimeout(() => closeWhenExpired(connection, expiresAtMs), Math.min(wait, MAX_TIMER_MS));
  };

  const format = (errors: readonly GraphQLError[], requestId: string | undefined) =>
    errors.map((error) => formatError(error.toJSON(), error, requestId, log));

  const releaseSubscription = (connection: Connection, id: string) => {
    if (connection.subject && connection.subscriptionIds?.delete(id)) subscriptions.release(connection.subject);
  };

  const cleanup = useServer<Record<string, unknown> | undefined, Connection>(
    {
      schema: deps.schema,
      isProd: deps.production,
      async onConnect(ctx: Ctx) {
        const connection = ctx.extra;
        const params = ctx.connectionParams;
        let user: AuthUser | null;
        const authorization = authorizationOf(params);
        try {
          user = await deps.tokens.userFromHeader(authorization);
        } catch (err) {
          connection.socket.close(CloseCode.Forbidden, reason(`Forbidden: ${(err as Error).message}`));
          return false;
        }
        const subject = user ? `sub:${user.id}` : `ip:${clientIp(connection.request, deps.trustProxy)}`;
        if (!connections.acquire(subject)) {
          connection.socket.close(
            CloseCode.TooManyInitialisationRequests,
            reason(`Too many connections: at most ${connections.max} per caller`),
          );
          return false;
        }
        connection.id = randomUUID();
        connection.user = user;
        connection.subject = subject;
        connection.subscriptionIds = new Set();
        connection.pageAccess = typeof params?.pageAccess === 'string' ? params.pageAccess : undefined;
        const exp = user && authorization ? decodeJwt(authorization.replace(/^Bearer\s+/i, '')).exp : undefined;
        if (exp !== undefined) closeWhenExpired(connection, (exp + deps.clockSkewSeconds) * 1000);
        log.debug({ connectionId: connection.id, subject: user ? subject : 'anonymous' }, 'subscription connection opened');
        return true;
      },
      async onSubscribe(ctx: Ctx, id, payload) {
        const connection = ctx.extra;
        let document: DocumentNode;
        try {
          document = parse(payload.query, deps.limits.parseOptions);
        } catch (err) {
          return [withCode(err as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const variables = payload.variables ?? undefined;
        const operationName = payload.operationName ?? undefined;
        const refused = deps.limits.check(document, variables, operationName);
        if (refused.length) return refused.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        const operation = getOperationAST(document, operationName);
        if (!operation) return [withCode(new GraphQLError('Name the operation to run (operationName)'), 'OPERATION_RESOLUTION_FAILURE')];
        if (operation.operation !== 'subscription') {
          return [new AppError('BAD_USER_INPUT', 'Only subscriptions are served over WebSocket: send queries and mutations with POST /graphql')];
        }
        const problems = strictInputProblems(document, variables);
        if (problems.length) return [badInputs(problems)];
        if (!connection.subject || !subscriptions.acquire(connection.subject)) {
          return [new AppError('RATE_LIMITED', `Too many subscriptions: at most ${subscriptions.max} per caller`, { limit: subscriptions.max })];
        }
        connection.subscriptionIds!.add(id);
        const requestId = randomUUID();
        const contextValue: LiveContext = {
          requestId,
          user: connection.user ?? null,
          log: log.child({ requestId, connectionId: connection.id, subscription: id }),
          loaders: deps.newLoaders(),
          live: deps.live,
          pageAccess: connection.pageAccess,
        };
        const args: ExecutionArgs = { schema: deps.schema, document, variableValues: variables, operationName, contextValue };
        return args;
      },
      onNext(_ctx, _id, _payload, args, result) {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: format(result.errors, (args.contextValue as LiveContext).requestId) };
      },
      onError(_ctx, _id, _payload, errors) {
        return format(errors, undefined);
      },
      onComplete(ctx: Ctx, id) {
        releaseSubscription(ctx.extra, id);
      },
      onClose(ctx: Ctx) {
        const connection = ctx.extra;
        if (connection.expiry) clearTimeout(connection.expiry);
        for (const id of [...(connection.subscriptionIds ?? [])]) releaseSubscription(connection, id);
        if (connection.subject) connections.release(connection.subject);
        connection.subject = undefined;
      },
    },
    wss,
  );

  const dispose = () => {
    disposing ??= (async () => {
      deps.httpServer.off('upgrade', onUpgrade);
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, deps.closeGraceMs ?? 5_000);
      try {
        await cleanup.dispose();
      } finally {
        clearTimeout(cut);
      }
    })();
    return disposing;
  };

  return {
    drainPlugin: {
      async serverWillStart() {
        return {
          async drainServer() {
            await dispose();
          },
        };
      },
    },
    dispose,
    get connectionCount() {
      return wss.clients.size;
    },
  };
}
