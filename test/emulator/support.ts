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
  const emulator = await startStripeEmulator({ asyncPaymentDelayMs: 100, webhookRetryDelaysMs: [50, 100], ...options });
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
  let attempts = 0;
  const verifier = new Stripe('sk_test_x');
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      attempts += 1;
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
  return { url, received, rejected, close: () => new Promise<void>((r) => server.close(() => r())) };
}
