/**
 * Rate limits, with counters in memory and in Redis (127.0.0.1:6379, or
 * TEST_REDIS_URL): every budget answers 429 with Retry-After and ratelimit-*
 * headers once spent, GraphQL with code RATE_LIMITED, and a refused request
 * writes nothing. Budgets are tiny here; TRUST_PROXY lets each test speak from
 * its own client IP (X-Forwarded-For), so budgets do not mix between tests.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { Redis } from 'ioredis';
import { CreateReservationDocument } from '../graphql/generated';
import { startTestServer, type TestServer } from '../support/test-server';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const BUDGETS = {
  RATE_LIMIT_GRAPHQL_PER_MINUTE: '4',
  RATE_LIMIT_WEBHOOK_PER_MINUTE: '5',
  RATE_LIMIT_WEBHOOK_SIGNATURE_FAILURES_PER_MINUTE: '2',
  RATE_LIMIT_HEALTH_PER_MINUTE: '3',
  RATE_LIMIT_PAYMENT_LINK_PER_MINUTE: '2',
  RATE_LIMIT_PAGES_PER_MINUTE: '3',
  TRUST_PROXY: 'true',
};

/** What a payment-link route will look like once built: only its budget matters here. */
const payLinkStub: FastifyPluginAsync = async (app) => {
  app.get('/pay/:token', async (_request, reply) => reply.code(303).header('location', 'http://localhost:3000/').send());
};

let ipCounter = 0;
const nextIp = () => `203.0.113.${(ipCounter += 1)}`;

const input = {
  guestId: 'guest-1',
  description: 'Double room',
  checkIn: '2031-06-01T15:00:00Z',
  checkOut: '2031-06-03T11:00:00Z',
  amount: 24000,
};

function expectLimitedHeaders(headers: Headers, limit: number) {
  expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
  expect(Number(headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(headers.get('ratelimit-limit')).toBe(String(limit));
  expect(headers.get('ratelimit-remaining')).toBe('0');
  expect(Number(headers.get('ratelimit-reset'))).toBeGreaterThan(0);
}

function fakeEvent() {
  return {
    id: `evt_test_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    type: 'customer.created',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'cus_test', object: 'customer' } },
  };
}

async function sendWebhook(server: TestServer, ip: string, options: { forged?: boolean } = {}) {
  const body = JSON.stringify(fakeEvent());
  const signature = server.stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: options.forged ? 'whsec_forged_forged_forged' : server.emulator.webhookSecret,
  });
  const res = await fetch(`${server.url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature, 'x-forwarded-for': ip },
    body,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe.each([
  ['in memory', {}],
  ['in Redis', { REDIS_URL }],
])('budgets %s', (_label, store: Record<string, string>) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...BUDGETS, ...store, REDIS_KEY_PREFIX: `bpa-test:${randomUUID()}:` }, { routes: [payLinkStub] });
  });
  afterAll(() => server.close());

  it('GraphQL: per subject, 429 RATE_LIMITED once spent, and the refused mutation writes nothing', async () => {
    const admin = await server.token(`admin-${randomUUID()}`, 'ADMIN');
    const ip = nextIp();
    for (let i = 0; i < 4; i += 1) {
      const res = await server.gql(CreateReservationDocument, { input }, { token: admin, headers: { 'x-forwarded-for': ip } });
      expect(res.errors).toBeUndefined();
      expect(res.headers.get('ratelimit-remaining')).toBe(String(3 - i));
    }
    const before = await server.db.prisma.reservation.count();
    const refused = await server.gql(CreateReservationDocument, { input }, { token: admin, headers: { 'x-forwarded-for': ip } });
    expect(refused.status).toBe(429);
    expectLimitedHeaders(refused.headers, 4);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(await server.db.prisma.reservation.count()).toBe(before);

    // another subject from the same IP has a budget of its own
    const other = await server.token(`admin-${randomUUID()}`, 'ADMIN');
    const ok = await server.gql(CreateReservationDocument, { input }, { token: other, headers: { 'x-forwarded-for': ip } });
    expect(ok.errors).toBeUndefined();
  });

  it('GraphQL: anonymous callers and bad tokens count per IP', async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 2; i += 1) {
      statuses.push((await server.gql(CreateReservationDocument, { input }, { headers: { 'x-forwarded-for': ip } })).status);
      statuses.push((await server.gql(CreateReservationDocument, { input }, { token: 'forged.token.here', headers: { 'x-forwarded-for': ip } })).status);
    }
    const refused = await server.gql(CreateReservationDocument, { input }, { headers: { 'x-forwarded-for': ip } });
    expect(statuses).toEqual([200, 401, 200, 401]);
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // a fresh IP is not affected
    expect((await server.gql(CreateReservationDocument, { input }, { headers: { 'x-forwarded-for': nextIp() } })).status).toBe(200);
  });

  it('webhook route: its own budget per IP; the refused event is recorded nowhere', async () => {
    const ip = nextIp();
    for (let i = 0; i < 5; i += 1) expect((await sendWebhook(server, ip)).status).toBe(200);
    const before = await server.db.prisma.webhookEvent.count();
    const refused = await sendWebhook(server, ip);
    expect(refused.status).toBe(429);
    expectLimitedHeaders(refused.headers, 5);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(await server.db.prisma.webhookEvent.count()).toBe(before);
  });

  it('webhook route: failed signature checks are limited per IP, then every delivery from it is refused', async () => {
    const ip = nextIp();
    expect((await sendWebhook(server, ip, { forged: true })).status).toBe(400);
    expect((await sendWebhook(server, ip, { forged: true })).status).toBe(400);
    const before = await server.db.prisma.webhookEvent.count();
    const refused = await sendWebhook(server, ip);
    expect(refused.status).toBe(429);
    expectLimitedHeaders(refused.headers, 2);
    expect(await server.db.prisma.webhookEvent.count()).toBe(before);
    // Stripe's own address keeps delivering
    expect((await sendWebhook(server, nextIp())).status).toBe(200);
  });

  it('health probes: their own budget, per route', async () => {
    const ip = nextIp();
    const get = (path: string) => fetch(`${server.url}${path}`, { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 3; i += 1) expect((await get('/healthz')).status).toBe(200);
    const refused = await get('/healthz');
    expect(refused.status).toBe(429);
    expectLimitedHeaders(refused.headers, 3);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await get('/readyz')).status).toBe(200);
  });

  it('payment link route (GET /pay/:token): the budget a future route gets by its path', async () => {
    const ip = nextIp();
    const get = () => fetch(`${server.url}/pay/some-token`, { headers: { 'x-forwarded-for': ip }, redirect: 'manual' });
    expect((await get()).status).toBe(303);
    expect((await get()).status).toBe(303);
    const refused = await get();
    expect(refused.status).toBe(429);
    expectLimitedHeaders(refused.headers, 2);
  });

  it('pages (explorer, result pages): their own budget', async () => {
    const ip = nextIp();
    const get = () => fetch(`${server.url}/graphiql/assets/explorer.css`, { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 3; i += 1) expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(429);
  });
});

describe('Redis counters are shared by every instance', () => {
  let a: TestServer;
  let b: TestServer;
  const prefix = `bpa-test:${randomUUID()}:`;
  beforeAll(async () => {
    const env = { ...BUDGETS, REDIS_URL, REDIS_KEY_PREFIX: prefix };
    [a, b] = await Promise.all([startTestServer(env), startTestServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('spends one budget across two instances, in Redis', async () => {
    const ip = nextIp();
    const health = (server: TestServer) => fetch(`${server.url}/healthz`, { headers: { 'x-forwarded-for': ip } });
    expect((await health(a)).status).toBe(200);
    expect((await health(b)).status).toBe(200);
    expect((await health(a)).status).toBe(200);
    expect((await health(b)).status).toBe(429);
    const redis = new Redis(REDIS_URL);
    try {
      expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    } finally {
      await redis.quit();
    }
  });

  it("while in-memory counters are each instance's own", async () => {
    const [m1, m2] = await Promise.all([startTestServer(BUDGETS), startTestServer(BUDGETS)]);
    try {
      const ip = nextIp();
      const health = (server: TestServer) => fetch(`${server.url}/healthz`, { headers: { 'x-forwarded-for': ip } });
      for (let i = 0; i < 3; i += 1) expect((await health(m1)).status).toBe(200);
      expect((await health(m1)).status).toBe(429);
      expect((await health(m2)).status).toBe(200);
    } finally {
      await Promise.all([m1.close(), m2.close()]);
    }
  });
});
