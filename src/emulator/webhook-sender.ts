/**
 * Delivers events to the configured endpoints as Stripe does: a JSON POST with a
 * real `Stripe-Signature` (t=<emulator clock>,v1=HMAC-SHA256 of "t.payload" with
 * the endpoint's secret), retried with backoff on a non-2xx answer or a timeout.
 *
 * Delivery modes (Stripe guarantees no order and may deliver twice):
 * - `in-order`: one delivery at a time per endpoint, in the order events happened;
 * - `concurrent`: each event after a random delay (0..maxDelayMs), concurrently,
 *   so they arrive in random order;
 * - `duplicating`: as `concurrent`, and a share (`duplicateRate`) of deliveries is
 *   sent a second time.
 * Random choices come from a seeded generator (`seed`), so a run can be replayed.
 * Attempts and retries are jobs of the clock scheduler: retry delays are emulator
 * time (advancing a ControllableClock fires due retries), and pending ones are
 * kept with the state, so they survive a restart with a data directory.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import type { ClockScheduler, Job } from './clock-scheduler';
import type { EmulatorState, WebhookEndpoint } from './emulator-state';

export type DeliveryMode = 'in-order' | 'concurrent' | 'duplicating';
export const DELIVERY_MODES: readonly DeliveryMode[] = ['in-order', 'concurrent', 'duplicating'];

export interface DeliveryOptions {
  mode: DeliveryMode;
  /** delays before each retry, in emulator-clock ms (the first retry after attempt 1, ...) */
  retryDelaysMs: number[];
  /** real ms to wait for an endpoint's answer */
  timeoutMs: number;
  /** concurrent / duplicating: largest random delay before a first delivery (emulator-clock ms) */
  maxDelayMs: number;
  /** duplicating: share of deliveries sent twice (0..1) */
  duplicateRate: number;
  seed: number;
}

/**
 * Stripe's retry schedules. Stripe publishes only their shape ("in live mode, up
 * to 3 days with an exponential back off; in a sandbox, three times over a few
 * hours"), not the intervals: these are the emulator's approximation.
 */
export const STRIPE_RETRY_SCHEDULES_S = {
  sandbox: [15 * 60, 60 * 60, 3 * 60 * 60],
  live: liveSchedule(),
};

function liveSchedule(): number[] {
  const delays: number[] = [];
  let total = 0;
  for (let n = 0; total < 3 * 86_400; n += 1) {
    const delay = Math.min(60 * 2 ** n, 12 * 3600);
    delays.push(delay);
    total += delay;
  }
  return delays;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  url: string;
  attempt: number;
  /** a deliberate second delivery (duplicating mode) */
  duplicate: boolean;
  status: number | null;
  error?: string;
}

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/** mulberry32: a small seeded generator, enough for delivery jitter. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type DeliverJob = Extract<Job, { kind: 'deliver' }>;

export class WebhookSender {
  readonly deliveries: DeliveryRecord[] = [];
  private readonly random: () => number;
  private readonly inFlight = new Map<DeliverJob, AbortController>();
  /** in-order mode: deliveries waiting for their endpoint's previous one */
  private readonly waiting = new Map<string, DeliverJob[]>();
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly state: EmulatorState,
    private readonly scheduler: ClockScheduler,
    readonly options: DeliveryOptions,
    private readonly changed: () => void,
    private readonly log?: { warn(obj: object, msg?: string): void },
  ) {
    this.random = seededRandom(options.seed);
  }

  /** Adds an endpoint, or updates the secret of the one with this URL (a restarted service registers itself again). */
  addEndpoint(url: string, secret: string): WebhookEndpoint {
    const existing = this.state.endpoints.find((e) => e.url === url);
    if (existing) {
      existing.secret = secret;
      this.changed();
      return existing;
    }
    const endpoint = { id: `we_${randomBytes(12).toString('hex')}`, url, secret };
    this.state.endpoints.push(endpoint);
    this.changed();
    return endpoint;
  }

  removeEndpoint(id: string): void {
    this.state.endpoints = this.state.endpoints.filter((e) => e.id !== id);
    this.waiting.delete(id);
    this.scheduler.cancel((job) => job.kind === 'deliver' && job.endpointId === id);
    this.changed();
    this.settle();
  }

  /** A new event: sent to every endpoint. Returns how many endpoints it is pending for. */
  send(event: Stripe.Event): number {
    const targets = this.state.endpoints.map((e) => e.id);
    this.state.eventDelivery[event.id] = { targets, succeeded: [] };
    for (const endpointId of targets) this.schedule(event.id, endpointId);
    return targets.length;
  }

  /** Sends an existing event again to every current endpoint (a redelivery from the Dashboard). */
  redeliver(eventId: string): void {
    const delivery = (this.state.eventDelivery[eventId] ??= { targets: [], succeeded: [] });
    for (const endpoint of this.state.endpoints) {
      if (!delivery.targets.includes(endpoint.id)) delivery.targets.push(endpoint.id);
      this.schedule(eventId, endpoint.id);
    }
    this.refreshPending(eventId);
  }

  private schedule(eventId: string, endpointId: string): void {
    const { mode, maxDelayMs, duplicateRate } = this.options;
    const delay = () => (mode === 'in-order' ? 0 : Math.floor(this.random() * maxDelayMs));
    this.scheduler.after(delay(), { kind: 'deliver', eventId, endpointId, attempt: 1 });
    if (mode === 'duplicating' && this.random() < duplicateRate) {
      this.scheduler.after(delay(), { kind: 'deliver', eventId, endpointId, attempt: 1, duplicate: true });
    }
  }

  /** Events not yet delivered to every endpoint they were sent to. */
  pendingFor(eventId: string): number {
    const delivery = this.state.eventDelivery[eventId];
    return delivery ? delivery.targets.filter((t) => !delivery.succeeded.includes(t)).length : 0;
  }

  /** Stripe's `delivery_success`: delivered to every endpoint it was sent to (an event sent nowhere counts as not delivered). */
  delivered(eventId: string): boolean {
    const delivery = this.state.eventDelivery[eventId];
    return Boolean(delivery && delivery.targets.length && this.pendingFor(eventId) === 0);
  }

  private refreshPending(eventId: string) {
    const event = this.state.events.find((e) => e.id === eventId);
    if (event) event.pending_webhooks = this.pendingFor(eventId);
    this.changed();
  }

  /** The scheduler's handler for a due delivery. */
  deliver = (job: DeliverJob): void => {
    if (this.closed) return;
    const endpoint = this.state.endpoints.find((e) => e.id === job.endpointId);
    const event = this.state.events.find((e) => e.id === job.eventId);
    if (!endpoint || !event) return this.settle();
    if (this.options.mode === 'in-order' && [...this.inFlight.keys()].some((j) => j.endpointId === job.endpointId)) {
      const queue = this.waiting.get(job.endpointId) ?? [];
      queue.push(job);
      this.waiting.set(job.endpointId, queue);
      return;
    }
    const abort = new AbortController();
    this.inFlight.set(job, abort);
    void this.post(job, endpoint, event, abort.signal).finally(() => {
      this.inFlight.delete(job);
      const next = this.waiting.get(job.endpointId)?.shift();
      if (next) this.deliver(next);
      this.settle();
    });
  };

  private async post(job: DeliverJob, endpoint: WebhookEndpoint, event: Stripe.Event, signal: AbortSignal): Promise<void> {
    const payload = JSON.stringify(event, null, 2);
    const record: DeliveryRecord = {
      eventId: event.id,
      type: event.type,
      url: endpoint.url,
      attempt: job.attempt,
      duplicate: Boolean(job.duplicate),
      status: null,
    };
    this.deliveries.push(record);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signPayload(payload, endpoint.secret, Math.floor(this.scheduler.nowMs() / 1000)),
        },
        body: payload,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      await response.arrayBuffer();
      record.status = response.status;
      if (response.ok) {
        const delivery = this.state.eventDelivery[event.id];
        if (delivery && !delivery.succeeded.includes(endpoint.id)) delivery.succeeded.push(endpoint.id);
        this.refreshPending(event.id);
        return;
      }
    } catch (err) {
      record.error = (err as Error).message;
    }
    if (this.closed || job.duplicate) return;
    const delay = this.options.retryDelaysMs[job.attempt - 1];
    if (delay === undefined) {
      this.log?.warn({ eventId: event.id, url: endpoint.url, attempt: job.attempt }, 'webhook delivery gave up');
      return;
    }
    this.scheduler.after(delay, { kind: 'deliver', eventId: event.id, endpointId: endpoint.id, attempt: job.attempt + 1 });
  }

  private busy(): boolean {
    return this.inFlight.size > 0 || [...this.waiting.values()].some((q) => q.length) || this.scheduler.pending((j) => j.kind === 'deliver') > 0;
  }

  private settle() {
    if (this.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once nothing is being delivered or waiting to be (scheduled retries included). */
  idle(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops delivering; deliveries cut short are kept as due jobs, so a restart with the same data sends them again. */
  close(): void {
    this.closed = true;
    for (const [job, abort] of this.inFlight) {
      abort.abort();
      this.scheduler.after(0, { kind: 'deliver', eventId: job.eventId, endpointId: job.endpointId, attempt: job.attempt, duplicate: job.duplicate });
    }
    for (const queue of this.waiting.values()) {
      for (const job of queue) this.scheduler.after(0, { kind: 'deliver', eventId: job.eventId, endpointId: job.endpointId, attempt: job.attempt });
    }
    this.inFlight.clear();
    this.waiting.clear();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
