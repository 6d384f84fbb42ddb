import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('applies SPEC.md defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.stripe.secretKey).toBeUndefined();
    expect(config.jwt.usingDevelopmentSecret).toBe(true);
    expect(config.introspection).toBe(true);
  });

  it('names the bad variable and never prints its value', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', STRIPE_SECRET_KEY: 'pk_live_supersecretvalue' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/STRIPE_SECRET_KEY/);
      expect(message).not.toContain('supersecretvalue');
      expect(message).not.toContain('eighty');
    }
  });

  it('refuses the development JWT secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('refuses the built-in Stripe emulator in production', () => {
    const secret = 'x'.repeat(32);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret })).toThrow(/STRIPE_SECRET_KEY: is required when NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' })).not.toThrow();
  });

  it('requires the webhook secret with a real Stripe key', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_123' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
  });

  it('accepts several comma-separated webhook secrets (rotation)', () => {
    const config = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_a, whsec_b' });
    expect(config.stripe.webhookSecrets).toEqual(['whsec_a', 'whsec_b']);
  });

  it('turns introspection off in production unless asked', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' };
    expect(loadConfig(prod).introspection).toBe(false);
    expect(loadConfig({ ...prod, GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
  });
});
