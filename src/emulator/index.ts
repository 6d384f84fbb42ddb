/**
 * A local, stateful, Stripe-compatible emulator: the subset of Stripe's API this
 * product uses, a hosted checkout page that honours Stripe's test cards, events
 * delivered as signed webhooks, idempotency keys, a controllable clock and fault
 * injection. The product talks to it only through the real `stripe` SDK. State is
 * kept in memory and is gone when it stops. See README.md in this folder.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { EmulatorHttp, type Fault } from './emulator-http';
import { EmulatorStore } from './emulator-store';
import { WebhookSender, type DeliveryRecord } from './webhook-sender';

export interface StripeEmulatorOptions {
  port?: number;
  host?: string;
  webhookSecret?: string;
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
  asyncPaymentDelayMs?: number;
  publicUrl?: string;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export interface StripeEmulator {
  url: string;
  host: string;
  port: number;
  webhookSecret: string;
  clock: { now(): number; advance(seconds: number): Promise<void> };
  faults: { inject(fault: Fault): void; clear(): void };
  addWebhookEndpoint(url: string, secret?: string): { id: string; secret: string };
  removeWebhookEndpoint(id: string): void;
  webhooks: { idle(): Promise<void>; deliveries: DeliveryRecord[]; redeliver(eventId: string): Promise<void> };
  openDispute(chargeId: string, reason?: string): Stripe.Dispute;
  /** a refund that fails after it was accepted (also what card 4000 0000 0000 5126 does) */
  failRefund(refundId: string): void;
  close(): Promise<void>;
}

export type { Fault, FaultKind } from './emulator-http';

export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  let offsetSeconds = 0;
  const now = () => Math.floor(Date.now() / 1000) + offsetSeconds;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString('hex')}`;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  let baseUrl = '';
  const sender = new WebhookSender(
    { retryDelaysMs: options.webhookRetryDelaysMs ?? [1000, 5000, 30_000, 120_000], timeoutMs: options.webhookTimeoutMs ?? 10_000, now },
    options.logger,
  );
  const store = new EmulatorStore({ now }, () => options.publicUrl ?? baseUrl, (event) => sender.send(event), later, {
    asyncPaymentDelayMs: options.asyncPaymentDelayMs ?? 3000,
  });
  const http = new EmulatorHttp(store, now, (id) => sender.succeeded.get(id));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (http.server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;
  // sessions expire on Stripe's side even when nobody asks
  const sweeper = setInterval(() => store.expireDue(), 1000);
  sweeper.unref();

  return {
    url: baseUrl,
    host,
    port,
    webhookSecret,
    clock: {
      now,
      async advance(seconds: number) {
        offsetSeconds += seconds;
        store.expireDue();
      },
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
    removeWebhookEndpoint(id) {
      sender.endpoints.delete(id);
    },
    webhooks: {
      idle: () => sender.idle(),
      deliveries: sender.deliveries,
      async redeliver(eventId) {
        sender.send(store.event(eventId));
      },
    },
    openDispute: (chargeId, reason) => store.openDispute(chargeId, reason),
    failRefund: (refundId) => store.failRefund(refundId),
    async close() {
      clearInterval(sweeper);
      for (const timer of timers) clearTimeout(timer);
      sender.close();
      http.closeHanging();
      http.server.closeAllConnections?.();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
    },
  };
}
