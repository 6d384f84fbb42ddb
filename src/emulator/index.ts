/**
 * A local, stateful, Stripe-compatible emulator: the subset of Stripe's API this
 * product uses, with strict parameters checked against the `stripe` package's
 * types, complete objects, Stripe's event sequences delivered as signed
 * webhooks (in order, concurrently or with duplicates), Stripe-like idempotency
 * keys, a hosted checkout page that honours Stripe's test cards, an injected
 * clock that drives its timers, fault injection, and state kept under a data
 * directory across restarts. The product talks to it only through the real
 * `stripe` SDK. See README.md in this folder.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { isControllable, OffsetClock, type Clock } from '../common/clock';
import { Billing, DEFAULT_RETRY_DELAYS_S, type StatusAfterRetries } from './billing';
import { ClockScheduler } from './clock-scheduler';
import { Customers } from './customers';
import { EmulatorHttp, type Fault } from './emulator-http';
import { emptyState, StateFile, type EmulatorState } from './emulator-state';
import { EmulatorStore } from './emulator-store';
import { TestClocks } from './test-clocks';
import { DELIVERY_MODES, STRIPE_RETRY_SCHEDULES_S, WebhookSender, type DeliveryMode, type DeliveryRecord } from './webhook-sender';

/** The port a first start with a data directory prefers (stripe-mock's). */
export const DEFAULT_EMULATOR_PORT = 12111;

export interface StripeEmulatorOptions {
  /** a fixed port (0: any free port); a port in use fails with EmulatorPortInUseError */
  port?: number;
  host?: string;
  /**
   * Keep the state (sessions, payments, events, idempotent answers, pending
   * deliveries, the webhook secret and the port) in `<dataDir>/state.json` and
   * reload it on the next start. Without it the state is in memory only.
   */
  dataDir?: string;
  /** the source of time for everything the emulator does (default: a new OffsetClock) */
  clock?: Clock;
  webhookSecret?: string;
  /** `in-order` (default), `concurrent` or `duplicating`, or the mode with its settings */
  webhookDelivery?: DeliveryMode | { mode: DeliveryMode; maxDelayMs?: number; duplicateRate?: number; seed?: number };
  /** Stripe's retry schedule to follow: `sandbox` (default: 3 retries over a few hours) or `live` (up to 3 days) */
  webhookRetrySchedule?: 'sandbox' | 'live';
  /** multiplies the retry schedule's delays (0.001: an hour becomes 3.6 s) */
  webhookRetryTimeScale?: number;
  /** explicit retry delays in emulator-clock ms, instead of a Stripe schedule */
  webhookRetryDelaysMs?: number[];
  /** real ms to wait for an endpoint's answer (default 10 s) */
  webhookTimeoutMs?: number;
  /** emulator-clock ms before a SEPA payment settles (default 3 s) */
  asyncPaymentDelayMs?: number;
  /** emulator-clock ms before a card refund's reference is available: `refund.updated` (default 1 s) */
  refundReferenceDelayMs?: number;
  /** emulator-clock ms before a refund of card 5126 fails (default 100 ms) */
  refundFailureDelayMs?: number;
  /** emulator-clock ms before card 0259's charge is disputed (default 50 ms) */
  disputeDelayMs?: number;
  /**
   * Smart Retries of a failed renewal: delays (ms of the subscription's time, its
   * test clock's or the emulator's) before each retry, after the previous failed
   * attempt. Default: Stripe's recommended "8 tries within 2 weeks", retries 1, 3,
   * 5, 7, 9, 11 and 14 days after the first failure.
   */
  invoiceRetryDelaysMs?: number[];
  /** the subscription's status once every retry failed (Stripe's Dashboard setting): `canceled` (default), `unpaid`, or left `past_due` */
  subscriptionStatusAfterRetries?: StatusAfterRetries;
  /** base URL of the hosted pages, when it is not the emulator's own address */
  publicUrl?: string;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export interface StripeEmulator {
  url: string;
  host: string;
  port: number;
  webhookSecret: string;
  dataDir?: string;
  clock: {
    /** the emulator's time, in seconds */
    now(): number;
    /** moves the injected clock (a ControllableClock) forward; timers that became due fire before it resolves */
    advance(seconds: number): Promise<void>;
    source: Clock;
  };
  faults: { inject(fault: Fault): void; clear(): void };
  /** adds an endpoint (or updates the secret of the one with this URL) */
  addWebhookEndpoint(url: string, secret?: string): { id: string; secret: string };
  removeWebhookEndpoint(id: string): void;
  webhooks: {
    /** resolves once nothing is being delivered or waiting to be (scheduled retries included) */
    idle(): Promise<void>;
    deliveries: DeliveryRecord[];
    redeliver(eventId: string): Promise<void>;
    mode: DeliveryMode;
    seed: number;
  };
  openDispute(chargeId: string, reason?: string): Stripe.Dispute;
  /** a refund that fails after it was accepted (also what card 4000 0000 0000 5126 does) */
  failRefund(refundId: string): void;
  /** writes the state to the data directory now */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type { Fault, FaultKind } from './emulator-http';
export type { DeliveryMode, DeliveryRecord } from './webhook-sender';
export { DELIVERY_MODES } from './webhook-sender';

export class EmulatorPortInUseError extends Error {
  constructor(host: string, port: number, hint: string) {
    super(`The Stripe emulator cannot listen on ${host}:${port}: the port is already in use (${hint}).`);
  }
}

function listen(server: EmulatorHttp['server'], port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const inUse = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EADDRINUSE';

export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const clock = options.clock ?? new OffsetClock();
  const file = options.dataDir ? new StateFile(options.dataDir) : undefined;
  const state: EmulatorState = file ? file.load() : emptyState();
  let started = false;
  const changed = () => {
    if (started) file?.scheduleSave(state);
  };
  const webhookSecret = options.webhookSecret ?? state.webhookSecret ?? `whsec_${randomBytes(24).toString('hex')}`;
  state.webhookSecret = webhookSecret;

  const delivery = typeof options.webhookDelivery === 'string' ? { mode: options.webhookDelivery } : (options.webhookDelivery ?? { mode: 'in-order' as const });
  if (!DELIVERY_MODES.includes(delivery.mode)) throw new Error(`Unknown webhook delivery mode "${delivery.mode}" (one of ${DELIVERY_MODES.join(', ')})`);
  const scale = options.webhookRetryTimeScale ?? 1;
  const retryDelaysMs = options.webhookRetryDelaysMs ?? STRIPE_RETRY_SCHEDULES_S[options.webhookRetrySchedule ?? 'sandbox'].map((s) => s * 1000 * scale);

  const scheduler = new ClockScheduler(clock, state.jobs, changed);
  const sender = new WebhookSender(
    state,
    scheduler,
    {
      mode: delivery.mode,
      retryDelaysMs,
      timeoutMs: options.webhookTimeoutMs ?? 10_000,
      maxDelayMs: 'maxDelayMs' in delivery && delivery.maxDelayMs !== undefined ? delivery.maxDelayMs : 200,
      duplicateRate: 'duplicateRate' in delivery && delivery.duplicateRate !== undefined ? delivery.duplicateRate : 0.3,
      seed: 'seed' in delivery && delivery.seed !== undefined ? delivery.seed : randomInt(2 ** 31),
    },
    changed,
    options.logger,
  );
  let baseUrl = '';
  const store = new EmulatorStore(state, scheduler, () => options.publicUrl ?? baseUrl, (event) => sender.send(event), changed, {
    asyncPaymentDelayMs: options.asyncPaymentDelayMs ?? 3000,
    refundReferenceDelayMs: options.refundReferenceDelayMs ?? 1000,
    refundFailureDelayMs: options.refundFailureDelayMs ?? 100,
    disputeDelayMs: options.disputeDelayMs ?? 50,
  });
  const clocks = new TestClocks(store, scheduler);
  const customers = new Customers(store, clocks);
  const statusAfterRetries = options.subscriptionStatusAfterRetries ?? 'canceled';
  if (!['canceled', 'unpaid', 'past_due'].includes(statusAfterRetries)) {
    throw new Error(`Unknown subscriptionStatusAfterRetries "${statusAfterRetries}" (one of canceled, unpaid, past_due)`);
  }
  const billing = new Billing(store, customers, clocks, {
    retryDelaysS: options.invoiceRetryDelaysMs ? options.invoiceRetryDelaysMs.map((ms) => Math.max(1, Math.round(ms / 1000))) : DEFAULT_RETRY_DELAYS_S,
    statusAfterRetries,
    publicUrl: () => options.publicUrl ?? baseUrl,
  });
  customers.onDelete = (customerId) => billing.cancelAllFor(customerId);
  clocks.work = billing;
  store.connect({ customers, billing });
  const http = new EmulatorHttp(store, sender, changed, { customers, billing, clocks });

  const host = options.host ?? '127.0.0.1';
  let port: number;
  if (options.port !== undefined) {
    port = await listen(http.server, options.port, host).catch((err: unknown) => {
      throw inUse(err) ? new EmulatorPortInUseError(host, options.port!, 'set STRIPE_EMULATOR_PORT to a free port, or stop what uses it') : err;
    });
  } else if (file && state.port) {
    const recorded = state.port;
    port = await listen(http.server, recorded, host).catch((err: unknown) => {
      throw inUse(err)
        ? new EmulatorPortInUseError(host, recorded, `it is the port recorded in ${file.file}: is another instance running on that data directory? Set STRIPE_EMULATOR_PORT to choose another`)
        : err;
    });
  } else if (file) {
    port = await listen(http.server, DEFAULT_EMULATOR_PORT, host).catch((err: unknown) => {
      if (inUse(err)) return listen(http.server, 0, host);
      throw err;
    });
  } else {
    port = await listen(http.server, 0, host);
  }
  if (file) state.port = port;
  baseUrl = `http://${host}:${port}`;
  started = true;
  if (file) await file.flush(state);
  scheduler.start({ ...store.jobHandlers(), deliver: sender.deliver, billing: clocks.runScheduled, advance_test_clock: clocks.runAdvance });

  return {
    url: baseUrl,
    host,
    port,
    webhookSecret,
    dataDir: options.dataDir,
    clock: {
      now: () => store.now(),
      async advance(seconds: number) {
        if (!isControllable(clock)) throw new Error('The Stripe emulator was given a clock that cannot be advanced');
        await clock.advance(seconds * 1000);
      },
      source: clock,
    },
    faults: {
      inject(fault) {
        http.faults.push({ ...fault, remaining: fault.times ?? 1 });
      },
      clear() {
        http.faults.length = 0;
      },
    },
    addWebhookEndpoint(url, secret) {
      const endpoint = sender.addEndpoint(url, secret ?? webhookSecret);
      return { id: endpoint.id, secret: endpoint.secret };
    },
    removeWebhookEndpoint: (id) => sender.removeEndpoint(id),
    webhooks: {
      idle: () => sender.idle(),
      deliveries: sender.deliveries,
      async redeliver(eventId) {
        store.event(eventId);
        sender.redeliver(eventId);
      },
      mode: delivery.mode,
      seed: sender.options.seed,
    },
    openDispute: (chargeId, reason) => store.openDispute(chargeId, reason),
    failRefund: (refundId) => store.failRefund(refundId),
    flush: async () => {
      if (file) await file.flush(state);
    },
    async close() {
      sender.close();
      scheduler.close();
      http.closeHanging();
      http.server.closeAllConnections?.();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
      if (file) await file.flush(state);
    },
  };
}
