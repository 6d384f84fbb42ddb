/**
 * The injected clock drives every time the emulator uses and every timer it
 * has; webhook deliveries in each mode; retries on Stripe's schedule, scaled by
 * the clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { OffsetClock, systemClock } from '../../src/common/clock';
import { startStripeEmulator, type StripeEmulatorOptions } from '../../src/emulator';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { sessionParams, startHarness, startReceiver, type Harness } from './support';

const DAY = 86_400;

describe('the injected clock', () => {
  let h: Harness;
  let clock: OffsetClock;
  beforeAll(async () => {
    clock = new OffsetClock();
    await clock.advance(10 * DAY * 1000); // far from real time, so nothing can come from Date.now()
    h = await startHarness({ clock, asyncPaymentDelayMs: 3_600_000, webhookRetryDelaysMs: [60_000] });
  });
  afterAll(() => h.close());

  const clockSeconds = () => Math.floor(clock.now().getTime() / 1000);

  it('stamps objects and events with its time', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    expect(Math.abs(session.created - clockSeconds())).toBeLessThanOrEqual(1);
    expect(session.expires_at).toBe(session.created + DAY);
    expect(h.emulator.clock.now()).toBe(clockSeconds());
    await h.stripe.checkout.sessions.expire(session.id);
    const [event] = (await h.stripe.events.list({ type: 'checkout.session.expired', limit: 1 })).data;
    expect(Math.abs(event.created - clockSeconds())).toBeLessThanOrEqual(1);
  });

  it('expires a session when it is advanced past expires_at', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams({ expires_at: clockSeconds() + 1800 }));
    await h.emulator.clock.advance(1799);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    await h.emulator.clock.advance(2);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
  });

  it('the same clock moved by its owner (not through the emulator) fires due timers too', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams({ expires_at: clockSeconds() + 1800 }));
    await clock.advance(1801 * 1000);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
  });

  it('settles a delayed payment when advanced past the delay, with no waiting', async () => {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(session.url!, { iban: 'DE89370400440532013000' });
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('unpaid');
    await h.emulator.clock.advance(3600);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
  });

  it('signs webhooks with its time, and retries only when the retry is due on it', async () => {
    const receiver = await startReceiver(h.emulator.webhookSecret, (attempt) => (attempt === 1 ? 500 : 200));
    const seen: number[] = [];
    const endpoint = h.emulator.addWebhookEndpoint(receiver.url);
    try {
      const session = await h.stripe.checkout.sessions.create(sessionParams());
      await h.stripe.checkout.sessions.expire(session.id);
      await waitFor(() => h.emulator.webhooks.deliveries.some((d) => d.url === receiver.url && d.status === 500));
      expect(receiver.received).toHaveLength(1); // refused with 500
      // the retry is due 60 s later on the emulator's clock, not before
      await h.emulator.clock.advance(59);
      expect(h.emulator.webhooks.deliveries.filter((d) => d.url === receiver.url)).toHaveLength(1);
      await h.emulator.clock.advance(1);
      await h.emulator.webhooks.idle();
      expect(receiver.received.map((e) => e.type)).toEqual(['checkout.session.expired', 'checkout.session.expired']);
      expect(h.emulator.webhooks.deliveries.filter((d) => d.url === receiver.url).map((d) => d.status)).toEqual([500, 200]);
      seen.push(...receiver.timestamps);
      // the t= of the signature is the emulator's time (10 days ahead of real time here)
      expect(Math.abs(seen[seen.length - 1] - clockSeconds())).toBeLessThanOrEqual(2);
    } finally {
      h.emulator.removeWebhookEndpoint(endpoint.id);
      await receiver.close();
    }
  });

  it('cannot be advanced when it is not controllable', async () => {
    const fixed = await startStripeEmulator({ clock: systemClock });
    try {
      await expect(fixed.clock.advance(1)).rejects.toThrow(/cannot be advanced/);
    } finally {
      await fixed.close();
    }
  });
});

/** Polls a condition (no fixed sleeps). */
async function waitFor(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A receiver that answers after a random short delay and records arrival order and overlap. */
async function slowReceiver(secret: string) {
  const verifier = new Stripe('sk_test_x');
  const received: Stripe.Event[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(verifier.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers['stripe-signature']), secret));
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200).end();
      }, 5 + Math.floor(Math.random() * 15));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Ten events (ten expired sessions), in creation order. */
async function tenEvents(h: Harness): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    const session = await h.stripe.checkout.sessions.create(sessionParams());
    await h.stripe.checkout.sessions.expire(session.id);
  }
  for await (const e of h.stripe.events.list({ type: 'checkout.session.expired', limit: 100 })) ids.push(e.id);
  return ids.reverse();
}

/** Ten events delivered in `mode` to a slow receiver; returns what was created and what arrived. */
async function deliverTen(webhookDelivery: StripeEmulatorOptions['webhookDelivery']) {
  const h = await startHarness({ webhookDelivery });
  const receiver = await slowReceiver(h.emulator.webhookSecret);
  h.emulator.addWebhookEndpoint(receiver.url);
  try {
    const created = await tenEvents(h);
    await h.emulator.webhooks.idle();
    return {
      created,
      got: receiver.received.map((e) => e.id),
      maxInFlight: receiver.maxInFlight(),
      deliveries: [...h.emulator.webhooks.deliveries],
      seed: h.emulator.webhooks.seed,
    };
  } finally {
    await receiver.close();
    await h.close();
  }
}

describe('delivery modes', () => {
  it('in-order: one at a time per endpoint, in the order the events happened', async () => {
    const { created, got, maxInFlight } = await deliverTen('in-order');
    expect(got).toEqual(created);
    expect(maxInFlight).toBe(1);
  });

  it('concurrent: every event once, after random delays, so in another order', async () => {
    const { created, got, seed } = await deliverTen({ mode: 'concurrent', maxDelayMs: 300, seed: 42 });
    expect([...got].sort()).toEqual([...created].sort());
    expect(got).not.toEqual(created);
    expect(seed).toBe(42);
  });

  it('duplicating: some deliveries arrive twice, each is signed', async () => {
    const { created, got, deliveries } = await deliverTen({ mode: 'duplicating', maxDelayMs: 100, duplicateRate: 0.5, seed: 7 });
    expect(new Set(got)).toEqual(new Set(created));
    const duplicates = deliveries.filter((d) => d.duplicate);
    expect(duplicates.length).toBeGreaterThan(0);
    expect(got.length).toBe(created.length + duplicates.length);
  });
});

describe("retries on Stripe's schedule", () => {
  it('sandbox (default): three retries, 15 min, 1 h and 3 h apart on the emulator clock, then it gives up', async () => {
    const clock = new OffsetClock();
    const h = await startHarness({ clock, webhookRetryDelaysMs: undefined });
    const receiver = await startReceiver(h.emulator.webhookSecret, () => 503);
    h.emulator.addWebhookEndpoint(receiver.url);
    const attempts = () => h.emulator.webhooks.deliveries.length;
    try {
      const session = await h.stripe.checkout.sessions.create(sessionParams());
      await h.stripe.checkout.sessions.expire(session.id);
      await waitFor(() => attempts() === 1 && h.emulator.webhooks.deliveries[0].status === 503);
      for (const [minutes, expected] of [[14, 1], [1, 2], [59, 2], [1, 3], [179, 3], [1, 4]] as const) {
        await h.emulator.clock.advance(minutes * 60);
        await waitFor(() => attempts() === expected && h.emulator.webhooks.deliveries[expected - 1].status !== null);
      }
      await h.emulator.webhooks.idle(); // no retry left: idle
      await h.emulator.clock.advance(DAY);
      expect(attempts()).toBe(4);
      const [event] = (await h.stripe.events.list({ delivery_success: false })).data;
      expect(event.pending_webhooks).toBe(1);
    } finally {
      await receiver.close();
      await h.close();
    }
  });

  it('scaled: webhookRetryTimeScale shrinks the schedule, so real time reaches the retries', async () => {
    const h = await startHarness({ webhookRetryDelaysMs: undefined, webhookRetrySchedule: 'sandbox', webhookRetryTimeScale: 0.0001 });
    const receiver = await startReceiver(h.emulator.webhookSecret, (attempt) => (attempt < 3 ? 500 : 200));
    h.emulator.addWebhookEndpoint(receiver.url);
    try {
      const session = await h.stripe.checkout.sessions.create(sessionParams());
      await h.stripe.checkout.sessions.expire(session.id);
      await h.emulator.webhooks.idle();
      expect(h.emulator.webhooks.deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
      expect((await h.stripe.events.list({ delivery_success: true })).data).toHaveLength(1);
    } finally {
      await receiver.close();
      await h.close();
    }
  });
});
