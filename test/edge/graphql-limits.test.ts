/**
 * Query limits: refused with QUERY_TOO_COMPLEX (HTTP 400) before any resolver
 * runs, so a refused document that holds a mutation writes nothing. Limits come
 * from the configuration; small ones here keep the documents short.
 */
import { startTestServer, type TestServer } from '../support/test-server';
import { createReservationText, rawGql, startProductionServer } from './support';

let server: TestServer;
let admin: string;
beforeAll(async () => {
  server = await startTestServer({
    GRAPHQL_MAX_DEPTH: '3',
    GRAPHQL_MAX_ALIASES: '3',
    GRAPHQL_MAX_COST: '200',
    GRAPHQL_MAX_TOKENS: '300',
    GRAPHQL_MAX_DIRECTIVES: '3',
  });
  admin = await server.token('booking-system', 'ADMIN');
});
afterAll(() => server.close());

const reservations = () => server.db.prisma.reservation.count();
const checkout = (alias: string) => `${alias}: createCheckoutSession(input: { reservationId: "RES-2026-AAAAAA" }) { url }`;

async function expectTooComplex(query: string, message: RegExp, operationName?: string) {
  const before = await reservations();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ query, operationName }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  expect(response.status).toBe(400);
  expect(body.errors?.map((e) => e.extensions?.code)).toContain('QUERY_TOO_COMPLEX');
  expect(body.errors?.find((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX')?.message).toMatch(message);
  expect(body.data ?? null).toBeNull();
  expect(await reservations()).toBe(before);
}

describe('each limit refuses the whole document before any resolver runs', () => {
  it('depth (GRAPHQL_MAX_DEPTH)', async () => {
    // the mutation is the operation to run; the deeper query beside it fails validation of the document
    await expectTooComplex(
      `mutation Write { ${createReservationText()} }
       query Deep { paymentStatus(reservationId: "RES-2026-AAAAAA") { attempts { reservation { id } } } }`,
      /depth limit of 3/i,
      'Write',
    );
  });

  it('aliases (GRAPHQL_MAX_ALIASES)', async () => {
    await expectTooComplex(`mutation { ${['a', 'b', 'c', 'd'].map((a) => `${a}: ${createReservationText()}`).join(' ')} }`, /aliases limit of 3/i);
  });

  it('cost (GRAPHQL_MAX_COST), from the per-field costs', async () => {
    // createReservation 20 + three checkout sessions 3 × 50 + a refund 50 = 220 > 200
    await expectTooComplex(
      `mutation { ${createReservationText()} ${['a', 'b', 'c'].map(checkout).join(' ')}
        refundPayment(input: { paymentId: "00000000-0000-4000-8000-000000000000" }) { id } }`,
      /costs 220, more than the allowed 200/,
    );
  });

  it('cost of a list grows with the page size asked for', async () => {
    // payments: 10 + first × (reservation 1 + refunds 1) = 10 + 100 × 2 = 210
    await expectTooComplex(`{ payments(first: 100) { id reservation { id } refunds { id } } }`, /costs 210/);
    const small = await rawGql(server, `{ payments(first: 50) { id reservation { id } refunds { id } } }`, { token: admin });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
  });

  it('tokens (GRAPHQL_MAX_TOKENS), counted while parsing', async () => {
    await expectTooComplex(`mutation { createReservation(input: { guestId: "g", description: "d", checkIn: "2031-06-01T15:00:00Z", checkOut: "2031-06-03T11:00:00Z", amount: 1 }) { ${'id '.repeat(300)} } }`, /too many tokens/);
  });

  it('directives (GRAPHQL_MAX_DIRECTIVES)', async () => {
    await expectTooComplex(
      `mutation { createReservation(input: { guestId: "g", description: "d", checkIn: "2031-06-01T15:00:00Z", checkOut: "2031-06-03T11:00:00Z", amount: 1 }) {
        id @include(if: true) status @include(if: true) amount @skip(if: false) currency @skip(if: false) } }`,
      /directives limit of 3/i,
    );
  });

  it('lets a document within every limit through', async () => {
    const res = await rawGql(server, `mutation { ${createReservationText()} ${['a', 'b'].map((a) => `${a}: ${createReservationText()}`).join(' ')} }`, {
      token: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('measures introspection by cost and tokens but not by depth (explorers need it)', async () => {
    const res = await rawGql(server, `{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }`, {
      token: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });
});

describe('field suggestions', () => {
  const typo = '{ paymentStatu(reservationId: "RES-2026-AAAAAA") { state } }';

  it('are given in development', async () => {
    const res = await rawGql(server, typo, { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/Did you mean "paymentStatus"/);
  });

  it('are off in production, where they would spell out the schema', async () => {
    const production = await startProductionServer();
    try {
      const token = await production.token('booking-system', 'ADMIN');
      const res = await fetch(`${production.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: typo }),
      });
      const body = (await res.json()) as { errors: Array<{ message: string }> };
      expect(res.status).toBe(400);
      expect(body.errors[0].message).toMatch(/Cannot query field "paymentStatu"/);
      expect(body.errors[0].message).not.toMatch(/Did you mean|paymentStatus"/);
    } finally {
      await production.close();
    }
  });
});
