/**
 * Delivers events to the configured endpoints as Stripe does: a JSON POST with a
 * real `Stripe-Signature` (t=…,v1=HMAC-SHA256 of "t.payload" with the endpoint's
 * secret), retried with backoff on a non-2xx answer or a timeout. Events are sent
 * concurrently, so they may arrive out of order, as they can from Stripe.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type Stripe from 'stripe';

export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  url: string;
  attempt: number;
  status: number | null;
  error?: string;
}

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export class WebhookSender {
  readonly endpoints = new Map<string, WebhookEndpoint>();
  readonly deliveries: DeliveryRecord[] = [];
  /** event id → whether its last delivery to every endpoint succeeded */
  readonly succeeded = new Map<string, boolean>();
  private pending = 0;
  private waiters: Array<() => void> = [];
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly options: { retryDelaysMs: number[]; timeoutMs: number; now: () => number },
    private readonly log?: { warn(obj: object, msg?: string): void },
  ) {}

  addEndpoint(url: string, secret = `whsec_${randomBytes(24).toString('hex')}`): WebhookEndpoint {
    const endpoint = { id: `we_${randomBytes(12).toString('hex')}`, url, secret };
    this.endpoints.set(endpoint.id, endpoint);
    return endpoint;
  }

  send(event: Stripe.Event): void {
    for (const endpoint of this.endpoints.values()) this.attempt(event, endpoint, 1);
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending = 0;
    this.flush();
  }

  private flush() {
    if (this.pending !== 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private attempt(event: Stripe.Event, endpoint: WebhookEndpoint, attempt: number): void {
    if (this.closed) return;
    this.pending += 1;
    void this.post(event, endpoint, attempt).finally(() => {
      this.pending = Math.max(0, this.pending - 1);
      this.flush();
    });
  }

  private async post(event: Stripe.Event, endpoint: WebhookEndpoint, attempt: number): Promise<void> {
    const payload = JSON.stringify(event, null, 2);
    const record: DeliveryRecord = { eventId: event.id, type: event.type, url: endpoint.url, attempt, status: null };
    this.deliveries.push(record);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signPayload(payload, endpoint.secret, this.options.now()),
        },
        body: payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.arrayBuffer();
      record.status = response.status;
      if (response.ok) {
        this.succeeded.set(event.id, true);
        return;
      }
    } catch (err) {
      record.error = (err as Error).message;
    }
    this.succeeded.set(event.id, false);
    const delay = this.options.retryDelaysMs[attempt - 1];
    if (delay === undefined || this.closed) {
      this.log?.warn({ eventId: event.id, url: endpoint.url, attempt }, 'webhook delivery gave up');
      return;
    }
    this.pending += 1; // the scheduled retry keeps the sender busy
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.pending = Math.max(0, this.pending - 1);
      this.attempt(event, endpoint, attempt + 1);
      this.flush();
    }, delay);
    this.timers.add(timer);
  }
}
