import { ConfigError, loadConfig } from '../../src/config';

describe('edge configuration', () => {
  it('turns every limit on by default', () => {
    const config = loadConfig({}, { stdoutIsTTY: false });
    expect(config.graphqlLimits).toEqual({ maxDepth: 8, maxAliases: 15, maxCost: 1000, maxTokens: 2000, maxDirectives: 20 });
    expect(config.rateLimits).toMatchObject({
      enabled: true,
      perMinute: { graphql: 300, webhook: 6000, webhookSignatureFailures: 20, health: 600, paymentLink: 30, pages: 300 },
      redisUrl: undefined,
    });
    expect(config.jwt).toMatchObject({ maxLifetimeSeconds: 86_400, clockSkewSeconds: 30 });
    expect(config.fieldSuggestions).toBe(true);
    expect(config.trustProxy).toBe(false);
  });

  it('pretty-prints logs for a terminal, JSON otherwise, unless LOG_FORMAT says', () => {
    expect(loadConfig({}, { stdoutIsTTY: true }).logFormat).toBe('pretty');
    expect(loadConfig({}, { stdoutIsTTY: false }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }, { stdoutIsTTY: true }).logFormat).toBe('json');
  });

  it('turns field suggestions off in production', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' });
    expect(config.fieldSuggestions).toBe(false);
  });

  it('names a bad limit, REDIS_URL or token lifetime', () => {
    expect(() => loadConfig({ GRAPHQL_MAX_DEPTH: '0' })).toThrow(/GRAPHQL_MAX_DEPTH/);
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL: must be a redis/);
    expect(() => loadConfig({ JWT_CLOCK_SKEW_SECONDS: '3600' })).toThrow(ConfigError);
  });
});
