/**
 * What an operator command runs against: the service's own configuration (the
 * same environment variables), its database, its Stripe (a real account, any
 * Stripe-compatible API, or the built-in emulator's saved state), and the same
 * services the API uses (src/services.ts), so a command acts under the rules a
 * request would.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type Stripe from 'stripe';
import { systemClock } from '../../src/common/clock';
import { ConfigError, loadConfig, type Config } from '../../src/config';
import { openDatabase, type Database } from '../../src/db';
import { startStripeEmulator, type StripeEmulator } from '../../src/emulator';
import { CheckoutUrls } from '../../src/payments/checkout-urls';
import { createServices, type Services } from '../../src/services';
import { createStripeClient } from '../../src/stripe/stripe-client';

export interface OperatorContext {
  config: Config;
  db: Database;
  stripe: Stripe;
  services: Services;
  log: Logger;
  /** where Stripe is, for the command's first line */
  stripeTarget: string;
  close(): Promise<void>;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The built-in emulator's Stripe: the running service's (its recorded port), or its saved state, opened here. */
async function emulatorStripe(config: Config, log: Logger): Promise<{ apiUrl: string; emulator?: StripeEmulator }> {
  const dataDir = path.join(config.dataDir, 'stripe-emulator');
  const stateFile = path.join(dataDir, 'state.json');
  const recorded = fs.existsSync(stateFile) ? (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { port?: number }).port : undefined;
  const port = config.stripe.emulatorPort ?? recorded;
  if (port && (await reachable(port))) return { apiUrl: `http://127.0.0.1:${port}` };
  const emulator = await startStripeEmulator({ dataDir, logger: log, ...(port ? { port } : {}) });
  return { apiUrl: emulator.url, emulator };
}

export async function openOperatorContext(options: { logLevel?: string } = {}): Promise<OperatorContext> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: options.logLevel ?? process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, migrate: false, poolSize: 4 });
  let emulator: StripeEmulator | undefined;
  let apiUrl = config.stripe.apiUrl;
  if (!config.stripe.secretKey && !apiUrl) ({ apiUrl, emulator } = await emulatorStripe(config, log));
  const stripe = createStripeClient({
    secretKey: config.stripe.secretKey ?? 'sk_test_emulator',
    apiUrl,
    maxNetworkRetries: config.stripe.maxNetworkRetries,
    timeoutMs: config.stripe.timeoutMs,
  });
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const services = createServices({ prisma: db.prisma, db, stripe, clock: systemClock, config, checkoutUrls: new CheckoutUrls(publicUrl), log });
  return {
    config,
    db,
    stripe,
    services,
    log,
    stripeTarget: config.stripe.secretKey && !config.stripe.apiUrl ? 'Stripe' : `${apiUrl}${emulator ? ' (the built-in emulator, opened from its saved state)' : ''}`,
    async close() {
      await emulator?.close();
      await db.close();
    },
  };
}

/** `--name value` from the command line. */
export function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

export const flag = (name: string) => process.argv.includes(`--${name}`);

export function dateOption(name: string): Date | undefined {
  const value = option(name);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    process.stderr.write(`--${name}: "${value}" is not a date (use an ISO date such as 2026-11-01 or 2026-11-01T12:00:00Z)\n`);
    process.exit(2);
  }
  return date;
}
