/**
 * The service's built-in emulator (src/app.ts): started with its state under
 * DATA_DIR/stripe-emulator, on STRIPE_EMULATOR_PORT or the port kept with its
 * data, and a clear refusal when that port is taken.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/app';
import { ConfigError, loadConfig } from '../../src/config';
import { openTestDatabase } from '../support/test-database';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const configFor = (env: Record<string, string>) =>
  loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', JOBS_ENABLED: 'false', LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(32), ...env });

describe('STRIPE_EMULATOR_PORT', () => {
  it('is validated as a port number', () => {
    expect(() => configFor({ STRIPE_EMULATOR_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => configFor({ STRIPE_EMULATOR_PORT: '70000' })).toThrow(/STRIPE_EMULATOR_PORT: must be a port number/);
    expect(configFor({ STRIPE_EMULATOR_PORT: '12345' }).stripe.emulatorPort).toBe(12345);
    expect(configFor({}).stripe.emulatorPort).toBeUndefined();
  });
});

describe('the built-in emulator of the service', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpa-data-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its state under DATA_DIR/stripe-emulator, on the configured port, across restarts', async () => {
    const db = await openTestDatabase();
    const port = await freePort();
    const config = configFor({ DATA_DIR: dataDir, STRIPE_EMULATOR_PORT: String(port) });
    try {
      const first = await createApp(config, { db, logger: pino({ level: 'silent' }) });
      expect(first.emulator!.port).toBe(port);
      expect(first.emulator!.dataDir).toBe(path.join(dataDir, 'stripe-emulator'));
      const secret = first.emulator!.webhookSecret;
      await first.close();
      expect(fs.existsSync(path.join(dataDir, 'stripe-emulator', 'state.json'))).toBe(true);

      const second = await createApp(configFor({ DATA_DIR: dataDir }), { db, logger: pino({ level: 'silent' }) });
      expect(second.emulator!.port).toBe(port); // the port kept with the data
      expect(second.emulator!.webhookSecret).toBe(secret);

      const clash = await createApp(config, { db, logger: pino({ level: 'silent' }) }).catch((err: unknown) => err);
      expect(clash).toBeInstanceOf(ConfigError);
      expect((clash as Error).message).toBe(
        `The Stripe emulator cannot listen on 127.0.0.1:${port}: the port is already in use (set STRIPE_EMULATOR_PORT to a free port, or stop what uses it).`,
      );
      await second.close();
    } finally {
      await db.close();
    }
  });
});
