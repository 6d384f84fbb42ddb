/**
 * Configuration from the environment (SPEC.md's table), validated once at start.
 * A bad value stops the process with a message naming the variable; values are
 * never echoed, since several are secrets.
 */
import { z } from 'zod';

const DEV_JWT_SECRET = 'development-only-secret-do-not-use-in-production';

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection string')
      .optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_JWKS_URL: z.url().optional(),
    JWT_ISSUER: z.string().optional(),
    JWT_AUDIENCE: z.string().optional(),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_/, 'must be a Stripe secret key (sk_test_… or sk_live_…)')
      .optional(),
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    STRIPE_API_URL: z.url().optional(),
    STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
    STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    STRIPE_EMULATOR_PORT: z.coerce.number().int().min(1, 'must be a port number (1-65535)').max(65535, 'must be a port number (1-65535)').optional(),
    PUBLIC_URL: z.url().optional(),
    GRAPHQL_INTROSPECTION: z.enum(['true', 'false']).optional(),
    JOBS_ENABLED: z.enum(['true', 'false']).default('true'),
    // unset: audit entries are kept forever
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
    WEBHOOK_WORKERS: z.coerce.number().int().min(1).max(64).default(4),
    METRICS_ENABLED: z.enum(['true', 'false']).default('true'),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
    JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).default(24 * 3600),
    JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    GRAPHQL_MAX_DEPTH: positiveInt(8),
    GRAPHQL_MAX_ALIASES: positiveInt(15),
    GRAPHQL_MAX_COST: positiveInt(1000),
    GRAPHQL_MAX_TOKENS: positiveInt(2000),
    GRAPHQL_MAX_DIRECTIVES: positiveInt(20),
    RATE_LIMIT_ENABLED: z.enum(['true', 'false']).default('true'),
    RATE_LIMIT_GRAPHQL_PER_MINUTE: positiveInt(300),
    RATE_LIMIT_WEBHOOK_PER_MINUTE: positiveInt(6000),
    RATE_LIMIT_WEBHOOK_SIGNATURE_FAILURES_PER_MINUTE: positiveInt(20),
    RATE_LIMIT_HEALTH_PER_MINUTE: positiveInt(600),
    RATE_LIMIT_PAYMENT_LINK_PER_MINUTE: positiveInt(30),
    RATE_LIMIT_PAGES_PER_MINUTE: positiveInt(300),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default('bpa:rate-limit:'),
    TRUST_PROXY: z.enum(['true', 'false']).default('false'),
    LIVE_MAX_CONNECTIONS_PER_SUBJECT: positiveInt(20),
    LIVE_MAX_SUBSCRIPTIONS_PER_SUBJECT: positiveInt(100),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET && !env.JWT_JWKS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'is required when NODE_ENV=production (or set JWT_JWKS_URL)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.STRIPE_SECRET_KEY && !env.STRIPE_API_URL) {
      // the built-in emulator takes no real money: never let a misconfigured production use it
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_SECRET_KEY'],
        message: 'is required when NODE_ENV=production (the built-in Stripe emulator is for development and tests)',
      });
    }
    if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_WEBHOOK_SECRET'],
        message: 'is required when STRIPE_SECRET_KEY is set',
      });
    }
  });

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** undefined: the embedded PostgreSQL under dataDir is used */
  databaseUrl?: string;
  /** connections per process to DATABASE_URL */
  databasePoolSize: number;
  dataDir: string;
  jwt: {
    secret?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    /** true when the built-in development secret is in use */
    usingDevelopmentSecret: boolean;
    /** a token's `exp` may be at most this far after its `iat` (or after now, without `iat`) */
    maxLifetimeSeconds: number;
    /** tolerance for `exp`, `nbf` and `iat` against our clock */
    clockSkewSeconds: number;
  };
  stripe: {
    /** undefined: the built-in emulator is started and used */
    secretKey?: string;
    webhookSecrets: string[];
    apiUrl?: string;
    maxNetworkRetries: number;
    timeoutMs: number;
    /** the built-in emulator's port; undefined: the one kept with its data (12111 on a first start, if free) */
    emulatorPort?: number;
  };
  /** undefined: http://localhost:PORT */
  publicUrl?: string;
  introspection: boolean;
  /** background jobs: reconciliation with Stripe, hold expiry, event retention */
  jobsEnabled: boolean;
  /** audit entries older than this are purged by the daily job; undefined: kept forever */
  auditRetentionDays?: number;
  /** the processing of received Stripe events */
  webhooks: { concurrency: number; pollMs: number };
  /** Prometheus metrics on their own port; undefined: not served */
  metrics?: { host: string; port: number };
  logLevel: string;
  /** pretty for people (a terminal), JSON lines for machines */
  logFormat: 'pretty' | 'json';
  /** refused before any resolver runs, with QUERY_TOO_COMPLEX */
  graphqlLimits: GraphQLLimits;
  /** field suggestions ("Did you mean …") in validation errors; off in production */
  fieldSuggestions: boolean;
  rateLimits: RateLimitConfig;
  /** X-Forwarded-For is believed (behind a load balancer): the client's IP keys the rate limits */
  trustProxy: boolean;
  /** live status (subscriptions over WebSocket), per subject (token `sub`, else IP) and per instance */
  live: {
    maxConnectionsPerSubject: number;
    maxSubscriptionsPerSubject: number;
  };
}

export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  maxDirectives: number;
}

/** Requests per minute for each budget (src/http/rate-limits.ts says which routes use which). */
export interface RateLimitConfig {
  enabled: boolean;
  perMinute: {
    graphql: number;
    webhook: number;
    webhookSignatureFailures: number;
    health: number;
    paymentLink: number;
    pages: number;
  };
  /** shared counters for every instance; undefined: counters in this process's memory */
  redisUrl?: string;
  redisKeyPrefix: string;
}

export class ConfigError extends Error {}

export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  terminal: { stdoutIsTTY: boolean } = { stdoutIsTTY: Boolean(process.stdout.isTTY) },
): Config {
  const blankAsUnset = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(blankAsUnset);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const usingDevelopmentSecret = !env.JWT_SECRET && !env.JWT_JWKS_URL;
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    dataDir: env.DATA_DIR,
    jwt: {
      secret: env.JWT_SECRET ?? (usingDevelopmentSecret ? DEV_JWT_SECRET : undefined),
      jwksUrl: env.JWT_JWKS_URL,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      usingDevelopmentSecret,
      maxLifetimeSeconds: env.JWT_MAX_LIFETIME_SECONDS,
      clockSkewSeconds: env.JWT_CLOCK_SKEW_SECONDS,
    },
    stripe: {
      secretKey: env.STRIPE_SECRET_KEY,
      webhookSecrets: (env.STRIPE_WEBHOOK_SECRET ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      apiUrl: env.STRIPE_API_URL,
      maxNetworkRetries: env.STRIPE_MAX_NETWORK_RETRIES,
      timeoutMs: env.STRIPE_TIMEOUT_MS,
      emulatorPort: env.STRIPE_EMULATOR_PORT,
    },
    publicUrl: env.PUBLIC_URL?.replace(/\/$/, ''),
    introspection: env.GRAPHQL_INTROSPECTION ? env.GRAPHQL_INTROSPECTION === 'true' : env.NODE_ENV !== 'production',
    jobsEnabled: env.JOBS_ENABLED === 'true',
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    webhooks: { concurrency: env.WEBHOOK_WORKERS, pollMs: env.WEBHOOK_POLL_MS },
    // 9464 (Prometheus exporters' convention); in tests any free port, as many servers share a machine
    metrics: env.METRICS_ENABLED === 'true' ? { host: env.METRICS_HOST, port: env.METRICS_PORT ?? (env.NODE_ENV === 'test' ? 0 : 9464) } : undefined,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT ?? (terminal.stdoutIsTTY ? 'pretty' : 'json'),
    graphqlLimits: {
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxCost: env.GRAPHQL_MAX_COST,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
    },
    fieldSuggestions: env.NODE_ENV !== 'production',
    rateLimits: {
      enabled: env.RATE_LIMIT_ENABLED === 'true',
      perMinute: {
        graphql: env.RATE_LIMIT_GRAPHQL_PER_MINUTE,
        webhook: env.RATE_LIMIT_WEBHOOK_PER_MINUTE,
        webhookSignatureFailures: env.RATE_LIMIT_WEBHOOK_SIGNATURE_FAILURES_PER_MINUTE,
        health: env.RATE_LIMIT_HEALTH_PER_MINUTE,
        paymentLink: env.RATE_LIMIT_PAYMENT_LINK_PER_MINUTE,
        pages: env.RATE_LIMIT_PAGES_PER_MINUTE,
      },
      redisUrl: env.REDIS_URL,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
    },
    trustProxy: env.TRUST_PROXY === 'true',
    live: {
      maxConnectionsPerSubject: env.LIVE_MAX_CONNECTIONS_PER_SUBJECT,
      maxSubscriptionsPerSubject: env.LIVE_MAX_SUBSCRIPTIONS_PER_SUBJECT,
    },
  };
}
