/**
 * paymentsConnection (the admin console's list): filters, newest first, keyset
 * pages that neither repeat nor skip an attempt, and clear refusals.
 */
import { PaymentsConnectionDocument, type PaymentsConnectionQueryVariables } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { createReservation, eventually, startCheckout, startWithActors, type Actors } from '../support/scenario';
import type { TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
const attempts: { paymentId: string; reservationId: string; guestId: string }[] = [];
let startedAt: Date;
let paidId: string;

beforeAll(async () => {
  ({ server, who } = await startWithActors());
  startedAt = server.clock.now();
  // seven attempts of three guests, a minute apart (two of them in the same instant: the id breaks the tie)
  for (const [i, guestId] of ['guest-1', 'guest-2', 'guest-1', 'guest-3', 'guest-2', 'guest-1', 'guest-1'].entries()) {
    const reservationId = await createReservation(server, who.admin, guestId);
    const session = await startCheckout(server, await server.token(guestId, 'GUEST'), reservationId);
    attempts.push({ paymentId: session.paymentId, reservationId, guestId });
    if (i !== 3) await server.clock.advance(60_000);
  }
  paidId = attempts[2].paymentId;
  const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paidId } });
  await payOnCheckoutPage(payment.checkoutUrl!, {});
  await server.settled();
  await eventually(async () => {
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paidId } })).status).toBe('SUCCEEDED');
  });
}, 60_000);
afterAll(() => server.close());

const list = (variables: PaymentsConnectionQueryVariables, token = who.admin) => server.gql(PaymentsConnectionDocument, variables, { token });

async function allPages(variables: PaymentsConnectionQueryVariables): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const res = await list({ ...variables, after });
    expect(res.errors).toBeUndefined();
    const { edges, pageInfo } = res.data!.paymentsConnection;
    ids.push(...edges.map((e) => e.node.id));
    if (!pageInfo.hasNextPage) return ids;
    expect(pageInfo.endCursor).toBe(edges[edges.length - 1].cursor);
    after = pageInfo.endCursor;
  }
  throw new Error('more pages than attempts');
}

it('lists every attempt newest first, in pages that neither repeat nor skip one', async () => {
  const newestFirst = [...attempts].reverse().map((a) => a.paymentId);
  const whole = await list({ first: 50 });
  const rows = whole.data!.paymentsConnection.edges.map((e) => e.node);
  expect(rows.map((r) => r.id).sort()).toEqual([...newestFirst].sort());
  for (let i = 1; i < rows.length; i += 1) {
    expect(rows[i - 1].createdAt >= rows[i].createdAt).toBe(true);
    if (rows[i - 1].createdAt === rows[i].createdAt) expect(rows[i - 1].id > rows[i].id).toBe(true);
  }
  expect(whole.data!.paymentsConnection.pageInfo).toEqual({ hasNextPage: false, endCursor: whole.data!.paymentsConnection.edges[6].cursor });
  for (const size of [1, 2, 3]) expect(await allPages({ first: size })).toEqual(rows.map((r) => r.id));
});

it('filters by status, reservation, guest and time window, together', async () => {
  const ids = async (filter: PaymentsConnectionQueryVariables['filter']) => (await allPages({ filter, first: 2 })).sort();
  const of = (pick: (a: (typeof attempts)[number], i: number) => boolean) => attempts.filter(pick).map((a) => a.paymentId).sort();
  expect(await ids({ status: 'SUCCEEDED' })).toEqual([paidId]);
  expect(await ids({ status: 'PENDING' })).toEqual(of((a) => a.paymentId !== paidId));
  expect(await ids({ reservationId: attempts[4].reservationId })).toEqual([attempts[4].paymentId]);
  expect(await ids({ guestId: 'guest-1' })).toEqual(of((a) => a.guestId === 'guest-1'));
  expect(await ids({ guestId: 'guest-1', status: 'PENDING' })).toEqual(of((a) => a.guestId === 'guest-1' && a.paymentId !== paidId));
  // attempts 2..4 were started in [start + 2 min, start + 4 min)
  const at = (minutes: number) => new Date(startedAt.getTime() + minutes * 60_000 + 30_000).toISOString();
  expect(await ids({ from: at(1), to: at(3) })).toEqual(of((_a, i) => i >= 2 && i <= 4));
  expect(await ids({ guestId: 'nobody' })).toEqual([]);
  const empty = await list({ filter: { guestId: 'nobody' } });
  expect(empty.data!.paymentsConnection).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
});

it('refuses what it cannot answer, with the argument named', async () => {
  const code = async (variables: PaymentsConnectionQueryVariables, token = who.admin) => {
    const res = await list(variables, token);
    return [res.errors?.[0]?.extensions?.code, res.errors?.[0]?.message];
  };
  expect(await code({ first: 5 }, who.guest)).toEqual(['FORBIDDEN', expect.any(String)]);
  expect(await code({ first: 0 })).toEqual(['BAD_USER_INPUT', expect.stringMatching(/^first: /)]);
  expect(await code({ first: 201 })).toEqual(['BAD_USER_INPUT', expect.stringMatching(/^first: /)]);
  expect(await code({ after: 'bm90IGEgY3Vyc29y' })).toEqual(['BAD_USER_INPUT', expect.stringMatching(/^after: /)]);
  const forged = Buffer.from(JSON.stringify(['2030-01-01T00:00:00.000Z', "x' OR 1=1"])).toString('base64url');
  expect(await code({ after: forged })).toEqual(['BAD_USER_INPUT', expect.stringMatching(/^after: /)]);
  expect(await code({ filter: { reservationId: 'RES-nope' } })).toEqual(['BAD_USER_INPUT', expect.stringMatching(/reservationId/)]);
  const now = server.clock.now().toISOString();
  expect(await code({ filter: { from: now, to: now } })).toEqual(['BAD_USER_INPUT', expect.stringMatching(/^filter\.from: /)]);
});
