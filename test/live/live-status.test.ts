/**
 * paymentStatusChanged over a real WebSocket (graphql-ws's client) on one
 * instance, on whichever database the suite runs (a PostgreSQL server, or the
 * embedded one): the current state first, then every change as the webhooks and
 * the API make it; the same access rules as paymentStatus; the HTTP API's
 * limits; per-subject caps; tokens that expire; a graceful close.
 */
import { payOnCheckoutPage } from '../support/checkout-browser';
import { PaymentStatusChangedDocument, PaymentStatusDocument } from '../graphql/generated';
import { bearer, liveClient, watch, type LiveClient } from '../support/live-client';
import { actors, createReservation, eventually, startCheckout, type Actors } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
const clients: LiveClient[] = [];
const client = (params?: Record<string, unknown>) => {
  const c = liveClient(server.url, params);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  server = await startTestServer({ LIVE_MAX_CONNECTIONS_PER_SUBJECT: '3', LIVE_MAX_SUBSCRIPTIONS_PER_SUBJECT: '4' });
  who = await actors(server);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(() => server.close());

describe('the current state first, then every change', () => {
  it('UNPAID, then PENDING when checkout starts, then PAID once the webhook is processed', async () => {
    const reservationId = await createReservation(server, who.admin);
    const live = watch(client(bearer(who.guest)), PaymentStatusChangedDocument, { reservationId });
    await live.until((d) => d.paymentStatusChanged.state === 'UNPAID');
    expect(live.results[0].data!.paymentStatusChanged).toMatchObject({ state: 'UNPAID', attemptCount: 0, reservation: { id: reservationId, status: 'PENDING' } });

    const session = await startCheckout(server, who.guest, reservationId);
    await live.until((d) => d.paymentStatusChanged.state === 'PENDING');

    const declined = await payOnCheckoutPage(session.url, { card: '4000000000000002' });
    expect(declined.status).toBe(402); // the page shows the decline; the session stays open
    await server.emulator.webhooks.idle();
    await live.until((d) => d.paymentStatusChanged.attempts[0]?.failureCode === 'card_declined');

    await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    await server.emulator.webhooks.idle();
    const paid = await live.until((d) => d.paymentStatusChanged.state === 'PAID');
    expect(paid.paymentStatusChanged).toMatchObject({ amountPaid: 24000, reservation: { status: 'CONFIRMED' }, attempts: [{ status: 'SUCCEEDED', refunds: [] }] });
    // every pushed state is one the paymentStatus query gives at that moment: the last one is the query's now
    const query = await server.gql(PaymentStatusDocument, { reservationId }, { token: who.guest });
    expect(query.data!.paymentStatus.state).toBe(live.latest()!.paymentStatusChanged.state);
    expect(live.error).toBeUndefined();
  });

  it('an admin may watch any reservation', async () => {
    const reservationId = await createReservation(server, who.admin);
    const live = watch(client(bearer(who.admin)), PaymentStatusChangedDocument, { reservationId });
    await live.until((d) => d.paymentStatusChanged.state === 'UNPAID');
    await startCheckout(server, who.guest, reservationId);
    await live.until((d) => d.paymentStatusChanged.state === 'PENDING');
  });

  it('the token may come as GraphiQL sends it (Authorization, under headers too)', async () => {
    const reservationId = await createReservation(server, who.admin);
    for (const params of [{ Authorization: `Bearer ${who.guest}` }, { headers: { Authorization: `Bearer ${who.guest}` } }]) {
      const live = watch(client(params), PaymentStatusChangedDocument, { reservationId });
      await live.until((d) => d.paymentStatusChanged.state === 'UNPAID');
    }
  });
});

describe('refused as paymentStatus refuses', () => {
  it('no token: UNAUTHENTICATED, and the subscription ends', async () => {
    const reservationId = await createReservation(server, who.admin);
    const live = watch(client(), PaymentStatusChangedDocument, { reservationId });
    await live.ended();
    expect(live.results).toHaveLength(1);
    expect(live.results[0].data ?? null).toBeNull();
    expect(live.results[0].errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
  });

  it("another guest's reservation: FORBIDDEN, no data", async () => {
    const reservationId = await createReservation(server, who.admin);
    const live = watch(client(bearer(who.otherGuest)), PaymentStatusChangedDocument, { reservationId });
    await live.ended();
    expect(live.results).toHaveLength(1);
    expect(live.results[0].data ?? null).toBeNull();
    expect(live.results[0].errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('an unknown reservation: NOT_FOUND; a malformed id: BAD_USER_INPUT', async () => {
    const unknown = watch(client(bearer(who.admin)), PaymentStatusChangedDocument, { reservationId: 'RES-2026-ZZZZZZ' });
    await unknown.ended();
    expect(unknown.results[0].errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const malformed = watch(client(bearer(who.admin)), PaymentStatusChangedDocument, { reservationId: 'nope' });
    await malformed.ended();
    expect(malformed.results[0].errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a forged or expired token: the connection is refused (4403, with the reason)', async () => {
    const reservationId = await createReservation(server, who.admin);
    const forged = client(bearer(`${who.guest.slice(0, -4)}AAAA`));
    const live = watch(forged, PaymentStatusChangedDocument, { reservationId });
    await live.ended();
    expect(forged.closes[0]).toMatchObject({ code: 4403, reason: expect.stringMatching(/^Forbidden: The bearer token is not valid/) });
    expect(live.results).toEqual([]);
    const malformed = client({ authorization: 'Token abc' });
    await watch(malformed, PaymentStatusChangedDocument, { reservationId }).ended();
    expect(malformed.closes[0]).toMatchObject({ code: 4403, reason: expect.stringMatching(/Bearer <token>/) });
  });
});

describe('limits', () => {
  it('WebSocket upgrades are taken on /graphql only', async () => {
    const { default: WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/healthz`, 'graphql-transport-ws');
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('upgraded on /healthz')));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });

  it('queries and mutations are not served over the WebSocket', async () => {
    const c = client(bearer(who.admin));
    const results: unknown[] = [];
    const error = await new Promise((resolve) => {
      c.subscribe({ query: '{ reservation(id: "RES-2026-AAAAAA") { id } }' }, { next: (r) => results.push(r), error: resolve, complete: () => resolve(null) });
    });
    expect(error).toEqual([expect.objectContaining({ message: expect.stringMatching(/POST \/graphql/), extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(results).toEqual([]);
  });

  it("the HTTP API's limits apply: aliases, strict strings, validation", async () => {
    const c = client(bearer(who.admin));
    const refusal = (query: string, variables?: Record<string, unknown>) =>
      new Promise((resolve) => c.subscribe({ query, variables }, { next: resolve, error: resolve, complete: () => resolve(null) }));
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: state`).join(' ');
    const tooManyAliases = await refusal(`subscription { paymentStatusChanged(reservationId: "RES-2026-AAAAAA") { ${aliases} } }`);
    expect(tooManyAliases).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TOO_COMPLEX' } })]);
    const control = await refusal('subscription ($id: ID!) { paymentStatusChanged(reservationId: $id) { state } }', { id: 'RES-2026-\u0007AAAAA' });
    expect(control).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    const invalid = await refusal('subscription { paymentStatusChanged(reservationId: "RES-2026-AAAAAA") { nope } }');
    expect(invalid).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
  });

  it('connections per subject: one more is closed with 4429', async () => {
    const reservationId = await createReservation(server, who.admin);
    const token = await server.token('busy-admin', 'ADMIN');
    const open = [client(bearer(token)), client(bearer(token)), client(bearer(token))].map((c) =>
      watch(c, PaymentStatusChangedDocument, { reservationId }),
    );
    for (const live of open) await live.until((d) => d.paymentStatusChanged.state === 'UNPAID');
    const extra = client(bearer(token));
    await watch(extra, PaymentStatusChangedDocument, { reservationId }).ended();
    expect(extra.closes[0]).toMatchObject({ code: 4429, reason: 'Too many connections: at most 3 per caller' });
    // another subject is not affected, and a closed connection frees its place
    await watch(client(bearer(who.admin)), PaymentStatusChangedDocument, { reservationId }).until((d) => d.paymentStatusChanged.state === 'UNPAID');
    await clients[0].dispose();
    await eventually(async () => {
      const again = client(bearer(token));
      await watch(again, PaymentStatusChangedDocument, { reservationId }).until((d) => d.paymentStatusChanged.state === 'UNPAID', 1000);
    });
  });

  it('subscriptions per subject: one more is RATE_LIMITED; a completed one frees its place', async () => {
    const reservationId = await createReservation(server, who.admin);
    const token = await server.token('many-tabs', 'ADMIN');
    const c = client(bearer(token));
    const open = Array.from({ length: 4 }, () => watch(c, PaymentStatusChangedDocument, { reservationId }));
    for (const live of open) await live.until((d) => d.paymentStatusChanged.state === 'UNPAID');
    const fifth = watch(c, PaymentStatusChangedDocument, { reservationId });
    await fifth.ended();
    expect(fifth.error).toEqual([expect.objectContaining({ message: 'Too many subscriptions: at most 4 per caller', extensions: { code: 'RATE_LIMITED', limit: 4 } })]);
    open[0].stop();
    await eventually(async () => {
      await watch(c, PaymentStatusChangedDocument, { reservationId }).until((d) => d.paymentStatusChanged.state === 'UNPAID', 1000);
    });
  });
});

it('a connection is closed when its token expires (4403, on which clients reconnect with a fresh token)', async () => {
  const short = await startTestServer({ JWT_CLOCK_SKEW_SECONDS: '0' });
  try {
    const admin = await short.token('booking-system', 'ADMIN');
    const reservationId = await createReservation(short, admin);
    const { signToken } = await import('../../src/auth/token-verifier');
    const { TEST_JWT_SECRET } = await import('../support/test-server');
    const brief = await signToken(TEST_JWT_SECRET, { id: 'guest-1', role: 'GUEST' }, { expiresIn: '2s', now: short.clock.now() });
    const c = liveClient(short.url, bearer(brief));
    clients.push(c);
    const live = watch(c, PaymentStatusChangedDocument, { reservationId });
    await live.until((d) => d.paymentStatusChanged.state === 'UNPAID');
    await live.ended(5_000);
    expect(c.closes[0]).toEqual({ code: 4403, reason: 'Forbidden: the bearer token has expired' });
  } finally {
    await short.close();
  }
});

it('closing the server says "going away" (1001) to every socket and finishes promptly', async () => {
  const closing = await startTestServer();
  const admin = await closing.token('booking-system', 'ADMIN');
  const reservationId = await createReservation(closing, admin);
  const sockets = Array.from({ length: 5 }, () => liveClient(closing.url, bearer(admin)));
  const lives = sockets.map((c) => watch(c, PaymentStatusChangedDocument, { reservationId }));
  for (const live of lives) await live.until((d) => d.paymentStatusChanged.state === 'UNPAID');
  const started = Date.now();
  await closing.close();
  expect(Date.now() - started).toBeLessThan(3_000);
  for (const c of sockets) {
    await eventually(async () => expect(c.closes[0]).toEqual({ code: 1001, reason: 'Going away' }));
    await c.dispose();
  }
});
