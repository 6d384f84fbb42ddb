/**
 * State kept across restarts under a data directory: the same port, secret,
 * sessions (still payable on the hosted page), payments, events, idempotent
 * answers, due timers and pending webhook deliveries; Billing's customers,
 * payment methods, prices, subscriptions, invoices and test clocks, with the
 * work scheduled on test clocks and on the emulator's clock.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { OffsetClock } from '../../src/common/clock';
import { DEFAULT_EMULATOR_PORT, EmulatorPortInUseError, startStripeEmulator, type StripeEmulator, type StripeEmulatorOptions } from '../../src/emulator';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { eventually, payOnInvoicePage, sessionParams, startReceiver } from './support';

const sdk = (emulator: StripeEmulator) =>
  new Stripe('sk_test_persistence', { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-emulator-'));

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

const start = (dataDir: string, options: StripeEmulatorOptions = {}) =>
  startStripeEmulator({ dataDir, asyncPaymentDelayMs: 100, refundReferenceDelayMs: 50, ...options });

describe('a restart with the same data directory', () => {
  const dir = tempDir();
  let first: StripeEmulator;
  let second: StripeEmulator | undefined;
  afterAll(async () => {
    await second?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the same port, secret, sessions, payments, events and idempotent answers; open sessions stay payable', async () => {
    const preferredFree = await portIsFree(DEFAULT_EMULATOR_PORT);
    first = await start(dir);
    if (preferredFree) expect(first.port).toBe(DEFAULT_EMULATOR_PORT);
    const stripe = sdk(first);
    const open = await stripe.checkout.sessions.create(sessionParams());
    const keyed = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'before-restart' });
    const paid = await stripe.checkout.sessions.create(sessionParams());
    await payOnCheckoutPage(paid.url!, { card: '4242424242424242' });
    const intent = (await stripe.checkout.sessions.retrieve(paid.id)).payment_intent as string;
    const refund = await stripe.refunds.create({ payment_intent: intent, amount: 2500 });
    await eventually(async () => ((await stripe.events.list({ type: 'refund.updated' })).data.length ? true : undefined));
    const eventsBefore = (await stripe.events.list({ limit: 100 })).data.map((e) => e.id);
    await first.close();

    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { port: number };
    expect(saved.port).toBe(first.port);
    expect(fs.readdirSync(dir)).toEqual(['state.json']); // written atomically: no temporary file left

    second = await start(dir);
    const again = sdk(second);
    expect(second.port).toBe(first.port);
    expect(second.url).toBe(first.url);
    expect(second.webhookSecret).toBe(first.webhookSecret);
    expect(await again.checkout.sessions.retrieve(open.id)).toMatchObject({ id: open.id, status: 'open', url: open.url });
    expect((await again.events.list({ limit: 100 })).data.map((e) => e.id)).toEqual(eventsBefore);
    expect(await again.refunds.retrieve(refund.id)).toMatchObject({ amount: 2500, status: 'succeeded' });
    expect((await again.charges.retrieve(refund.charge as string)).amount_refunded).toBe(2500);
    const replay = await again.checkout.sessions.create(sessionParams(), { idempotencyKey: 'before-restart' });
    expect(replay.id).toBe(keyed.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');

    const page = await payOnCheckoutPage(open.url!, { card: '4242424242424242' });
    expect(page.status).toBe(303);
    expect(await again.checkout.sessions.retrieve(open.id)).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
  });

  it('a configured port in use fails with one clear message', async () => {
    const error = await startStripeEmulator({ port: second!.port }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(EmulatorPortInUseError);
    expect((error as Error).message).toBe(
      `The Stripe emulator cannot listen on 127.0.0.1:${second!.port}: the port is already in use (set STRIPE_EMULATOR_PORT to a free port, or stop what uses it).`,
    );
  });

  it('so does the recorded port when another instance runs on the same data directory', async () => {
    const error = await start(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(EmulatorPortInUseError);
    expect((error as Error).message).toMatch(/recorded in .*state\.json/);
  });
});

describe('what was due while stopped', () => {
  it('a session whose expires_at passed expires at the next start; a pending delivery is retried', async () => {
    const dir = tempDir();
    const clock = new OffsetClock();
    let answer = 500;
    const receiver = await startReceiver('', () => answer);
    const first = await start(dir, { clock, port: 0, webhookRetryDelaysMs: [60_000] });
    try {
      const stripe = sdk(first);
      first.addWebhookEndpoint(receiver.url);
      const session = await stripe.checkout.sessions.create(sessionParams({ expires_at: first.clock.now() + 1800 }));
      const other = await stripe.checkout.sessions.create(sessionParams());
      await stripe.checkout.sessions.expire(other.id);
      await eventually(() => (first.webhooks.deliveries.some((d) => d.status === 500) ? true : undefined));
      await first.close();

      answer = 200;
      await clock.advance(1801 * 1000); // time passes while the emulator is stopped
      const second = await start(dir, { clock, port: 0, webhookRetryDelaysMs: [60_000] });
      try {
        const again = sdk(second);
        expect((await again.checkout.sessions.retrieve(session.id)).status).toBe('expired');
        await second.webhooks.idle();
        expect(second.webhooks.deliveries.map((d) => [d.type, d.attempt, d.status])).toEqual([
          ['checkout.session.expired', 2, 200],
          ['checkout.session.expired', 1, 200],
        ]);
        const [retried] = (await again.events.list({ type: 'checkout.session.expired', created: { lt: second.clock.now() - 1000 } })).data;
        expect(retried.pending_webhooks).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the state file', () => {
  it('is written soon after a change, without waiting for close', async () => {
    const dir = tempDir();
    const emulator = await start(dir, { port: 0 });
    try {
      const session = await sdk(emulator).checkout.sessions.create(sessionParams());
      await eventually(() => (fs.readFileSync(path.join(dir, 'state.json'), 'utf8').includes(session.id) ? true : undefined));
    } finally {
      await emulator.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('that cannot be read stops the start with a clear message instead of starting empty', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'state.json'), '{ not json');
    await expect(start(dir, { port: 0 })).rejects.toThrow(/state file .* is not valid JSON/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('without a data directory, nothing is written and every start is empty', async () => {
    const emulator = await startStripeEmulator();
    expect(emulator.dataDir).toBeUndefined();
    await emulator.close();
  });
});

describe('Billing across a restart', () => {
  it('keeps customers, payment methods, products, prices, subscriptions, invoices, invoice payments and test clocks, and their scheduled work', async () => {
    const dir = tempDir();
    const clock = new OffsetClock();
    // no port: the second start takes the one recorded with the data, so the hosted invoice URL still answers
    const options: StripeEmulatorOptions = { clock, invoiceRetryDelaysMs: [86_400_000], subscriptionStatusAfterRetries: 'unpaid' };
    const T0 = Date.UTC(2027, 6, 1, 8) / 1000;
    const first = await start(dir, options);
    let second: StripeEmulator | undefined;
    try {
      const stripe = sdk(first);
      const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: T0 });
      const onClock = await stripe.customers.create({ email: 'kept@example.com', test_clock: testClock.id, metadata: { guest_id: 'g-kept' } });
      const offClock = await stripe.customers.create({ email: 'kept.too@example.com' });
      const product = await stripe.products.create({ name: 'Kept plan' });
      const price = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 40_000, recurring: { interval: 'month' } });
      const subscribe = async (customer: string, card: string) => {
        const created = await stripe.checkout.sessions.create({ mode: 'subscription', customer, line_items: [{ price: price.id, quantity: 1 }], success_url: 'http://localhost:3000/ok' });
        await payOnCheckoutPage(created.url!, { card });
        return stripe.subscriptions.retrieve((await stripe.checkout.sessions.retrieve(created.id)).subscription as string);
      };
      const clockSub = await subscribe(onClock.id, '4000000000000341');
      const plainSub = await subscribe(offClock.id, '4242424242424242');
      // the clock's renewal fails: an open invoice, a retry scheduled on the test clock
      await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: Date.UTC(2027, 7, 1, 10) / 1000 });
      await eventually(async () => ((await stripe.testHelpers.testClocks.retrieve(testClock.id)).status === 'ready' ? true : undefined));
      const [open] = (await stripe.invoices.list({ subscription: clockSub.id, status: 'open' })).data;
      expect(open.next_payment_attempt).toBe(Date.UTC(2027, 7, 1, 9) / 1000 + 86_400);
      const before = {
        customer: await stripe.customers.retrieve(onClock.id),
        subscription: await stripe.subscriptions.retrieve(clockSub.id),
        invoice: await stripe.invoices.retrieve(open.id),
        payments: (await stripe.invoicePayments.list({ invoice: open.id })).data,
        methods: (await stripe.customers.listPaymentMethods(onClock.id)).data,
        clock: await stripe.testHelpers.testClocks.retrieve(testClock.id),
        price: await stripe.prices.retrieve(price.id),
      };
      await first.close();

      second = await start(dir, options);
      const again = sdk(second);
      expect(await again.customers.retrieve(onClock.id)).toEqual(before.customer);
      expect(await again.subscriptions.retrieve(clockSub.id)).toEqual(before.subscription);
      expect(await again.invoices.retrieve(open.id)).toEqual(before.invoice);
      expect((await again.invoicePayments.list({ invoice: open.id })).data).toEqual(before.payments);
      expect((await again.customers.listPaymentMethods(onClock.id)).data).toEqual(before.methods);
      expect(await again.testHelpers.testClocks.retrieve(testClock.id)).toEqual(before.clock);
      expect(await again.prices.retrieve(price.id)).toEqual(before.price);
      expect((await again.products.retrieve(product.id)).name).toBe('Kept plan');
      expect((await again.customers.search({ query: "metadata['guest_id']:'g-kept'" })).data.map((c) => c.id)).toEqual([onClock.id]);

      // the retry waiting on the test clock runs when it is advanced (0341 fails again: retries exhausted → unpaid)
      await again.testHelpers.testClocks.advance(testClock.id, { frozen_time: Date.UTC(2027, 7, 3) / 1000 });
      await eventually(async () => ((await again.testHelpers.testClocks.retrieve(testClock.id)).status === 'ready' ? true : undefined));
      expect(await again.invoices.retrieve(open.id)).toMatchObject({ attempt_count: 2, next_payment_attempt: null });
      expect((await again.subscriptions.retrieve(clockSub.id)).status).toBe('unpaid');
      // the hosted invoice page still serves it, and takes a card
      expect((await payOnInvoicePage(open.hosted_invoice_url!, '4242424242424242')).status).toBe(303);
      expect((await again.subscriptions.retrieve(clockSub.id)).status).toBe('active');

      // the renewal due on the emulator's clock was kept as a job: it runs when that clock passes it
      const periodEnd = plainSub.items.data[0].current_period_end;
      await second.clock.advance(periodEnd - second.clock.now() + 7200);
      expect((await again.invoices.list({ subscription: plainSub.id })).data.map((i) => [i.billing_reason, i.status])).toEqual([
        ['subscription_cycle', 'paid'],
        ['subscription_create', 'paid'],
      ]);
    } finally {
      await second?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
