import { randomUUID } from 'node:crypto';
import { ListPaymentsDocument, PaymentStatusDocument } from '../graphql/generated';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  // the webhook worker's polling would be counted too: nothing is received here
  await server.app.webhookWorker.stop();
});
afterAll(() => server.close());

/** N paid reservations, each payment with two refunds, written straight to the database. */
async function seed(n: number, tag: string) {
  for (let i = 0; i < n; i += 1) {
    const id = `RES-2026-${tag}${String(i).padStart(6 - tag.length, '0')}`.replace(/[ILOU]/g, 'X');
    const now = new Date();
    await server.db.prisma.reservation.create({
      data: { id, guestId: 'g', description: 'seeded', checkIn: new Date(Date.now() + 9e8), checkOut: new Date(Date.now() + 1e9), amount: 1000, holdExpiresAt: new Date(Date.now() + 8.64e7), status: 'CONFIRMED' },
    });
    const payment = await server.db.prisma.payment.create({
      data: { reservationId: id, attempt: 1, status: 'PARTIALLY_REFUNDED', amount: 1000, refundedAmount: 300, currency: 'EUR', idempotencyKey: randomUUID(), createdAt: now },
    });
    await server.db.prisma.refund.createMany({
      data: [
        { paymentId: payment.id, amount: 100, currency: 'EUR', status: 'SUCCEEDED' },
        { paymentId: payment.id, amount: 200, currency: 'EUR', status: 'SUCCEEDED' },
      ],
    });
  }
}

async function statementsFor(first: number): Promise<{ count: number; payments: number }> {
  const token = await server.token('admin', 'ADMIN');
  let count = 0;
  const stop = server.db.onQuery(() => {
    count += 1;
  });
  const res = await server.gql(ListPaymentsDocument, { first }, { token });
  stop();
  expect(res.errors).toBeUndefined();
  for (const p of res.data!.payments) {
    expect(p.reservation.id).toMatch(/^RES-/);
    expect(p.refunds).toHaveLength(2);
  }
  return { count, payments: res.data!.payments.length };
}

it('a list of N payments with their reservations and refunds costs the same number of SQL statements for 1 and for 50', async () => {
  await seed(50, 'A');
  const one = await statementsFor(1);
  const fifty = await statementsFor(50);
  expect(one.payments).toBe(1);
  expect(fifty.payments).toBe(50);
  expect(fifty.count).toBe(one.count);
  expect(fifty.count).toBeLessThanOrEqual(3); // payments, reservations, refunds
});

it('paymentStatus reads the reservation, its attempts and their refunds in one SQL statement', async () => {
  const id = 'RES-2026-STMT01';
  await server.db.prisma.reservation.create({
    data: { id, guestId: 'g', description: 'seeded', checkIn: new Date(Date.now() + 9e8), checkOut: new Date(Date.now() + 1e9), amount: 1000, holdExpiresAt: new Date(Date.now() + 8.64e7), status: 'CONFIRMED' },
  });
  for (const [attempt, status] of [[1, 'FAILED'], [2, 'EXPIRED'], [3, 'PARTIALLY_REFUNDED']] as const) {
    const p = await server.db.prisma.payment.create({
      data: { reservationId: id, attempt, status, amount: 1000, refundedAmount: status === 'PARTIALLY_REFUNDED' ? 300 : 0, currency: 'EUR', idempotencyKey: randomUUID() },
    });
    if (status === 'PARTIALLY_REFUNDED') {
      await server.db.prisma.refund.create({ data: { paymentId: p.id, amount: 300, currency: 'EUR', status: 'SUCCEEDED' } });
    }
  }
  const token = await server.token('g', 'GUEST');
  let count = 0;
  const seen: string[] = [];
  const stop = server.db.onQuery((e) => {
    count += 1;
    seen.push(e.query.slice(0, 120));
  });
  const res = await server.gql(PaymentStatusDocument, { reservationId: id }, { token });
  stop();
  expect(res.errors).toBeUndefined();
  expect(res.data!.paymentStatus).toMatchObject({ state: 'PARTIALLY_REFUNDED', attemptCount: 3, amountPaid: 1000, amountRefunded: 300 });
  expect(res.data!.paymentStatus.attempts.map((a) => a.refunds.length)).toEqual([1, 0, 0]);
  expect(seen).toHaveLength(1);
  expect(count).toBe(1);
});

it('organization scoping costs no extra statement: paymentStatus in its own organization, and refused in another, is one statement', async () => {
  const id = 'RES-2026-STMT02';
  await server.db.prisma.reservation.create({
    data: { id, orgId: 'hotel-a', guestId: 'g', description: 'seeded', checkIn: new Date(Date.now() + 9e8), checkOut: new Date(Date.now() + 1e9), amount: 1000, holdExpiresAt: new Date(Date.now() + 8.64e7) },
  });
  const count = async (token: string) => {
    let n = 0;
    const stop = server.db.onQuery(() => (n += 1));
    const res = await server.gql(PaymentStatusDocument, { reservationId: id }, { token });
    stop();
    return { n, res };
  };
  const own = await count(await server.token('g', 'GUEST', 'hotel-a'));
  expect(own.res.errors).toBeUndefined();
  expect(own.res.data!.paymentStatus.reservation.id).toBe(id);
  expect(own.n).toBe(1);
  const other = await count(await server.token('admin', 'ADMIN', 'hotel-b'));
  expect(other.res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(other.n).toBe(1);
});
