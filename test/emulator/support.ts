import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startStripeEmulator, type StripeEmulator, type StripeEmulatorOptions } from '../../src/emulator';

export interface Harness {
  emulator: StripeEmulator;
  stripe: Stripe;
  close(): Promise<void>;
}

export async function startHarness(options: StripeEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startStripeEmulator({
    asyncPaymentDelayMs: 100,
    refundReferenceDelayMs: 50,
    webhookRetryDelaysMs: [50, 100],
    ...options,
  });
  const stripe = new Stripe('sk_test_emulator_tests', { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });
  return { emulator, stripe, close: () => emulator.close() };
}

export function sessionParams(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 15000, product_data: { name: 'Room 12' } } }],
    success_url: 'http://localhost:3000/ok?s={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://localhost:3000/cancel',
    metadata: { reservation_id: 'RES-2026-ABCDEF' },
    payment_intent_data: { metadata: { payment_id: 'p-1' } },
    client_reference_id: 'RES-2026-ABCDEF',
    ...overrides,
  };
}

/** A local webhook receiver that verifies signatures with the SDK, as the product does. */
export async function startReceiver(secret: string, answer: (attempt: number) => number = () => 200) {
  const received: Stripe.Event[] = [];
  const rejected: string[] = [];
  /** the `t=` of each signature */
  const timestamps: number[] = [];
  let attempts = 0;
  const verifier = new Stripe('sk_test_x');
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      attempts += 1;
      const t = /t=(\d+)/.exec(String(req.headers['stripe-signature']))?.[1];
      if (t) timestamps.push(Number(t));
      try {
        received.push(verifier.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers['stripe-signature']), secret));
      } catch (err) {
        rejected.push((err as Error).message);
      }
      res.writeHead(answer(attempts)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, rejected, timestamps, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The Stripe error a call fails with (the test fails if it succeeds). */
export async function failure(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** The raw error body of a failed call, as Stripe sent it. */
export const errorBody = (err: Stripe.errors.StripeError) => (err.raw as { doc_url?: string; type?: string; code?: string; param?: string });

/** Polls `check` until it returns a value other than undefined (no fixed sleeps). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every event about one of `ids` (by its object's id or a reference to it), oldest first. */
export async function eventsAbout(stripe: Stripe, ...ids: string[]): Promise<Stripe.Event[]> {
  const all: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100 })) all.push(event);
  return all.reverse().filter((e) => ids.some((id) => JSON.stringify(e.data.object).includes(`"${id}"`)));
}

export const typesOf = (events: Stripe.Event[]) => events.map((e) => e.type);

/** The newest event id now: the events after it are what a step caused. */
export async function mark(stripe: Stripe): Promise<string | undefined> {
  return (await stripe.events.list({ limit: 1 })).data[0]?.id;
}

/** Every event since `marker`, oldest first. */
export async function eventsSince(stripe: Stripe, marker: string | undefined): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  for await (const e of stripe.events.list({ limit: 100, ...(marker ? { ending_before: marker } : {}) })) events.push(e);
  return marker ? events : events.reverse();
}

/** Advances a test clock and waits (polling) until Stripe says it is ready again. */
export async function advanceClock(stripe: Stripe, clockId: string, frozenTime: number): Promise<Stripe.TestHelpers.TestClock> {
  const advancing = await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: frozenTime });
  expect(advancing.status).toBe('advancing');
  return eventually(async () => {
    const clock = await stripe.testHelpers.testClocks.retrieve(clockId);
    return clock.status === 'ready' ? clock : undefined;
  });
}

/** UTC calendar time in seconds (months from 1). */
export const utc = (year: number, month: number, day: number, hour = 0, minute = 0) => Date.UTC(year, month - 1, day, hour, minute) / 1000;

/** A guest on the hosted invoice page: loads it, submits a card, stops at the answer. */
export async function payOnInvoicePage(invoiceUrl: string, card: string): Promise<{ status: number; location?: string; html: string }> {
  const page = await fetch(invoiceUrl);
  const pageHtml = await page.text();
  if (page.status !== 200) return { status: page.status, html: pageHtml };
  const response = await fetch(invoiceUrl, {
    method: 'POST',
    body: new URLSearchParams({ card_number: card, exp: '12 / 34', cvc: '123', email: '' }),
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location') ?? undefined, html: await response.text() };
}
