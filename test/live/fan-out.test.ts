/**
 * Fan-out across instances and at scale, over real WebSockets: instance B hears
 * what instance A commits (PostgreSQL LISTEN/NOTIFY), reads it once however many
 * subscribers it has, and after losing its listening connection sends every
 * subscriber the state it missed. Then 500 sockets on one instance.
 *
 * Two instances need a PostgreSQL server (the embedded database is one
 * process's, by design); without DATABASE_URL those tests say so and skip.
 */
import pino from 'pino';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db';
import { PaymentStatusChangedDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { bearer, liveClient, watch, type LiveClient, type Watch } from '../support/live-client';
import { actors, createReservation, eventually, startCheckout, type Actors } from '../support/scenario';
import { startTestServer, TEST_JWT_SECRET, TEST_PUBLIC_URL, type TestServer } from '../support/test-server';
import type { PaymentStatusChangedSubscription } from '../graphql/generated';

const serverDatabase = Boolean(process.env.TEST_TEMPLATE_DATABASE_URL);
const clients: LiveClient[] = [];
const client = (url: string, params?: Record<string, unknown>) => {
  const c = liveClient(url, params);
  clients.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

type Live = Watch<PaymentStatusChangedSubscription>;
const stateOf = (d: PaymentStatusChangedSubscription) => d.paymentStatusChanged.state;

(serverDatabase ? describe : describe.skip)('two instances on one PostgreSQL server (needs DATABASE_URL)', () => {
  let a: TestServer;
  let b: App;
  let bDb: Database;
  let who: Actors;

  beforeAll(async () => {
    a = await startTestServer();
    who = await actors(a);
    // B: the same database and Stripe, its own pool, listener and sockets; the emulator delivers webhooks to A only
    bDb = await openDatabase({ url: a.db.url, poolSize: 5 });
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: TEST_JWT_SECRET,
      PUBLIC_URL: TEST_PUBLIC_URL,
      JOBS_ENABLED: 'false',
      LOG_LEVEL: 'silent',
      STRIPE_API_URL: a.emulator.url,
      STRIPE_WEBHOOK_SECRET: a.emulator.webhookSecret,
      LIVE_MAX_CONNECTIONS_PER_SUBJECT: '100',
    });
    // a slow first reconnection (1.5 to 3 s), so that a change can be made while B is deaf
    b = await createApp(config, { db: bDb, logger: pino({ level: 'silent' }), clock: a.clock, liveListener: { initialBackoffMs: 3_000 } });
    await b.listen();
  });
  afterAll(async () => {
    await b?.close();
    await bDb?.close();
    await a?.close();
  });

  it('a client subscribed on B sees PAID within 1 s of the webhook being processed on A', async () => {
    const reservationId = await createReservation(a, who.admin);
    const live = watch(client(b.url!, bearer(who.guest)), PaymentStatusChangedDocument, { reservationId });
    await live.until((d) => stateOf(d) === 'UNPAID');
    const session = await startCheckout(a, who.guest, reservationId);
    await live.until((d) => stateOf(d) === 'PENDING');

    await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    await a.emulator.webhooks.idle();
    await live.until((d) => stateOf(d) === 'PAID');
    const paidAt = live.arrivals[live.results.findIndex((r) => r.data && stateOf(r.data) === 'PAID')];
    const event = await a.db.prisma.webhookEvent.findFirstOrThrow({
      where: { type: 'checkout.session.completed', reservationId, result: 'PROCESSED' },
    });
    expect(paidAt - event.processedAt!.getTime()).toBeLessThan(1_000);
    expect(live.latest()!.paymentStatusChanged).toMatchObject({ amountPaid: 24000, reservation: { status: 'CONFIRMED' } });
  });

  it("B reads each change once for all its subscribers of the reservation (one loader set per notice)", async () => {
    const reservationId = await createReservation(a, who.admin);
    const lives = Array.from({ length: 50 }, (_, i) =>
      watch(client(b.url!, bearer(i % 2 ? who.guest : who.admin)), PaymentStatusChangedDocument, { reservationId }),
    );
    for (const live of lives) await live.until((d) => stateOf(d) === 'UNPAID');
    const statements: string[] = [];
    const stop = bDb.onQuery((e) => statements.push(e.query));
    await startCheckout(a, who.guest, reservationId);
    for (const live of lives) await live.until((d) => stateOf(d) === 'PENDING');
    stop();
    // B runs nothing else: one notice, one read, whatever the number of subscribers
    expect(statements).toHaveLength(1);
  });

  it('a listener connection killed mid-run reconnects, and its subscribers get the state they missed', async () => {
    const reservationId = await createReservation(a, who.admin);
    const onB = Array.from({ length: 3 }, () => watch(client(b.url!, bearer(who.guest)), PaymentStatusChangedDocument, { reservationId }));
    for (const live of onB) await live.until((d) => stateOf(d) === 'UNPAID');
    const listener = b.live.listener;
    const connectionsBefore = listener.connections;
    const pid = listener.backendPid!;
    const [killed] = await a.db.prisma.$queryRaw<Array<{ killed: boolean }>>`SELECT pg_terminate_backend(${pid}::int) AS killed`;
    expect(killed.killed).toBe(true);
    await eventually(async () => expect(listener.connected).toBe(false));

    // committed on A while B cannot hear: its NOTIFY is lost for B
    const session = await startCheckout(a, who.guest, reservationId);
    expect(listener.connected).toBe(false);
    for (const live of onB) expect(live.results.map((r) => stateOf(r.data!))).toEqual(['UNPAID']);

    // B reconnects (with backoff) and sends every subscriber a fresh state
    for (const live of onB) await live.until((d) => stateOf(d) === 'PENDING', 10_000);
    expect(listener.connections).toBe(connectionsBefore + 1);
    expect(listener.backendPid).not.toBe(pid);

    // and hears again as before
    await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    await a.emulator.webhooks.idle();
    for (const live of onB) await live.until((d) => stateOf(d) === 'PAID');
  });
});

describe('500 sockets on one instance', () => {
  let server: TestServer;
  let who: Actors;
  beforeAll(async () => {
    server = await startTestServer({ LIVE_MAX_CONNECTIONS_PER_SUBJECT: '1000', LIVE_MAX_SUBSCRIPTIONS_PER_SUBJECT: '1000' });
    who = await actors(server);
  });
  afterAll(() => server.close());

  it('every socket sees every state, in order, with no update missed', async () => {
    const reservationId = await createReservation(server, who.admin);
    const lives: Live[] = [];
    for (let i = 0; i < 500; i += 1) {
      lives.push(watch(client(server.url, bearer(i % 2 ? who.guest : who.admin)), PaymentStatusChangedDocument, { reservationId }));
    }
    for (const live of lives) await live.until((d) => stateOf(d) === 'UNPAID', 30_000);

    const session = await startCheckout(server, who.guest, reservationId);
    for (const live of lives) await live.until((d) => stateOf(d) === 'PENDING', 30_000);
    await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    await server.emulator.webhooks.idle();
    for (const live of lives) await live.until((d) => stateOf(d) === 'PAID', 30_000);

    for (const live of lives) {
      expect(live.error).toBeUndefined();
      // repeated states are allowed (more than one commit may touch it), a state going back is not
      const states = live.results.map((r) => stateOf(r.data!)).filter((s, i, all) => s !== all[i - 1]);
      expect(states).toEqual(['UNPAID', 'PENDING', 'PAID']);
    }
  }, 120_000);
});
