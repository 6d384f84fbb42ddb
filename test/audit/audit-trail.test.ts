/**
 * The audit trail (SPEC "Audit trail", issue 15): an entry for each action that
 * moves money or a booking's state, written in the transaction of the change,
 * append-only in the database, read by admins a page at a time.
 */
import { AuditRetention } from '../../src/audit/audit-retention';
import { AuditLogDocument, RefundPaymentDocument, RetryPaymentDocument, type AuditLogQuery } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { runOperatorCommand } from '../support/operator';
import { createReservation, eventually, paymentStatus, startCheckout, startWithActors, type Actors } from '../support/scenario';
import { type GraphQLResponse, type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => ({ server, who } = await startWithActors()));
afterAll(() => server.close());

type Entry = AuditLogQuery['auditLog']['edges'][number]['node'];

/** Every entry matching the filter, oldest first, read page by page. */
async function allEntries(filter: Record<string, unknown>, token = who.admin, first = 7): Promise<Entry[]> {
  const entries: Entry[] = [];
  let after: string | null = null;
  for (;;) {
    const res: GraphQLResponse<AuditLogQuery> = await server.gql(AuditLogDocument, { filter, first, after }, { token });
    expect(res.errors).toBeUndefined();
    const page: AuditLogQuery['auditLog'] = res.data!.auditLog;
    entries.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return entries.reverse();
    after = page.pageInfo.endCursor;
  }
}

const brief = (e: Entry) => [e.action, e.source, e.actorId, e.before ?? null, e.after ?? null, e.amount ?? null];

it('tells the whole story of a payment, a retry and a refund, in order, with actors and sources', async () => {
  const reservationId = await createReservation(server, who.admin, 'guest-1', 24000, 40);
  const first = await startCheckout(server, who.guest, reservationId);
  await server.stripe.checkout.sessions.expire(first.sessionId);
  await server.settled();
  const retried = await server.gql(RetryPaymentDocument, { reservationId }, { token: who.guest, headers: { 'user-agent': 'audit-test/1.0' } });
  expect(retried.errors).toBeUndefined();
  const second = retried.data!.retryPayment;
  await payOnCheckoutPage(second.url, { card: '4242424242424242' });
  await server.settled();
  const refunded = await server.gql(RefundPaymentDocument, { input: { paymentId: second.paymentId } }, { token: who.guest });
  expect(refunded.errors).toBeUndefined();
  const refundId = refunded.data!.refundPayment.id;
  await server.settled();
  expect((await paymentStatus(server, who.guest, reservationId)).reservation.status).toBe('CANCELLED');

  const entries = await allEntries({ reservationId });
  expect(entries.map(brief)).toEqual([
    ['reservation.created', 'API', 'booking-system', null, 'PENDING', 24000],
    ['checkout.started', 'API', 'guest-1', null, 'PENDING', 24000],
    ['attempt.expired', 'WEBHOOK', 'stripe', 'PENDING', 'EXPIRED', null],
    ['retry.started', 'API', 'guest-1', null, 'PENDING', 24000],
    ['payment.succeeded', 'WEBHOOK', 'stripe', 'PENDING', 'SUCCEEDED', 24000],
    ['reservation.confirmed', 'WEBHOOK', 'stripe', 'PENDING', 'CONFIRMED', null],
    ['refund.requested', 'API', 'guest-1', null, 'REQUESTED', 24000],
    ['refund.succeeded', 'API', 'guest-1', 'REQUESTED', 'SUCCEEDED', 24000],
    ['payment.refunded', 'API', 'guest-1', 'SUCCEEDED', 'REFUNDED', 24000],
    ['reservation.cancelled', 'API', 'guest-1', 'CONFIRMED', 'CANCELLED', null],
  ]);
  // targets, and what each source leaves: the request for API calls, the Stripe event for webhooks
  expect(entries[1]).toMatchObject({ targetType: 'payment', targetId: first.paymentId, paymentId: first.paymentId });
  expect(entries[3]).toMatchObject({ targetId: second.paymentId, userAgent: 'audit-test/1.0', actorRole: 'GUEST' });
  expect(entries[3].requestId).toEqual(expect.any(String));
  expect(entries[3].ip).toMatch(/127\.0\.0\.1/);
  expect(entries[2].stripeEventId).toMatch(/^evt_/);
  expect(entries[4].stripeEventId).toMatch(/^evt_/);
  expect(entries[6]).toMatchObject({ targetType: 'refund', targetId: refundId, paymentId: second.paymentId });
  expect(entries.every((e) => e.reservationId === reservationId && e.orgId === 'default')).toBe(true);
  // time never goes backwards
  const times = entries.map((e) => Date.parse(e.at));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
});

it('filters by payment, actor, action and time', async () => {
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  expect((await allEntries({ paymentId: session.paymentId })).map((e) => e.action)).toEqual(['checkout.started']);
  const byGuest = await allEntries({ actorId: 'guest-1', action: 'checkout.started', reservationId });
  expect(byGuest.map((e) => e.targetId)).toEqual([session.paymentId]);
  const now = server.clock.now();
  expect(await allEntries({ reservationId, from: new Date(now.getTime() + 1000).toISOString() })).toEqual([]);
  expect((await allEntries({ reservationId, to: new Date(now.getTime() + 1000).toISOString() })).length).toBe(2);
  const bad = await server.gql(AuditLogDocument, { filter: { from: now.toISOString(), to: now.toISOString() } }, { token: who.admin });
  expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

it('loses no entry to concurrent writers', async () => {
  const before = await server.db.prisma.auditEntry.count({ where: { action: 'reservation.created' } });
  const ids = await Promise.all(Array.from({ length: 12 }, () => createReservation(server, who.admin)));
  expect(await server.db.prisma.auditEntry.count({ where: { action: 'reservation.created' } })).toBe(before + 12);
  expect(await server.db.prisma.auditEntry.count({ where: { action: 'reservation.created', reservationId: { in: ids } } })).toBe(12);

  // ten partial refunds of one payment at once: every refund made has its entry, no more
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  await server.settled();
  const results = await Promise.all(
    Array.from({ length: 10 }, () => server.gql(RefundPaymentDocument, { input: { paymentId: session.paymentId, amount: 3000 } }, { token: who.admin })),
  );
  await server.settled();
  const made = results.filter((r) => !r.errors).length;
  expect(made).toBe(8); // 8 × 3,000 = the 24,000 paid
  const refunds = await server.db.prisma.refund.findMany({ where: { paymentId: session.paymentId } });
  expect(refunds).toHaveLength(made);
  const requested = await server.db.prisma.auditEntry.findMany({ where: { paymentId: session.paymentId, action: 'refund.requested' } });
  expect(requested.map((e) => e.targetId).sort()).toEqual(refunds.map((r) => r.id).sort());
  const succeeded = await server.db.prisma.auditEntry.count({ where: { paymentId: session.paymentId, action: 'refund.succeeded' } });
  expect(succeeded).toBe(refunds.filter((r) => r.status === 'SUCCEEDED').length);
});

it('pages by cursor without repeating or skipping while entries are inserted between pages', async () => {
  const seen: string[] = [];
  let res = await server.gql(AuditLogDocument, { first: 5 }, { token: who.admin });
  const existing = await server.db.prisma.auditEntry.count();
  seen.push(...res.data!.auditLog.edges.map((e) => e.node.id));
  while (res.data!.auditLog.pageInfo.hasNextPage) {
    // newer entries arrive meanwhile: they belong before the first page, never in a later one
    await createReservation(server, who.admin);
    res = await server.gql(AuditLogDocument, { first: 5, after: res.data!.auditLog.pageInfo.endCursor }, { token: who.admin });
    expect(res.errors).toBeUndefined();
    seen.push(...res.data!.auditLog.edges.map((e) => e.node.id));
  }
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen).toHaveLength(existing);
  const bad = await server.gql(AuditLogDocument, { after: 'not-a-cursor' }, { token: who.admin });
  expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [expect.objectContaining({ field: 'after' })] });
  const big = await server.gql(AuditLogDocument, { first: 201 }, { token: who.admin });
  expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

it('is for admins only', async () => {
  const asGuest = await server.gql(AuditLogDocument, {}, { token: who.guest });
  expect(asGuest.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(asGuest.data).toBeNull();
  const anonymous = await server.gql(AuditLogDocument, {}, {});
  expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

describe('append-only, in the database', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of entries', async () => {
    const count = await server.db.prisma.auditEntry.count();
    expect(count).toBeGreaterThan(0);
    await expect(server.db.pool.query(`UPDATE audit_entries SET amount = 1`)).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(server.db.pool.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(server.db.pool.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    expect(await server.db.prisma.auditEntry.count()).toBe(count);
  });

  it('lets only the retention purge remove entries, and only older ones; none without a retention', async () => {
    const count = await server.db.prisma.auditEntry.count();
    expect(await new AuditRetention(server.db, server.clock, undefined).purge()).toBe(0);
    // nothing is 30 days old yet
    expect(await new AuditRetention(server.db, server.clock, 30).purge()).toBe(0);
    expect(await server.db.prisma.auditEntry.count()).toBe(count);
    const later = { now: () => new Date(server.clock.now().getTime() + 31 * 86_400_000) };
    expect(await new AuditRetention(server.db, later, 30).purge()).toBe(count);
    expect(await server.db.prisma.auditEntry.count()).toBe(0);
    // the purge's permission ended with its transaction
    await createReservation(server, who.admin);
    await expect(server.db.pool.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
  });
});

it('exports an organization’s entries as NDJSON for auditors', async () => {
  const reservationId = await createReservation(server, who.admin);
  await startCheckout(server, who.guest, reservationId);
  const total = await server.db.prisma.auditEntry.count();
  const { code, out } = await runOperatorCommand(server, 'audit-export.ts', ['--org', 'default']);
  expect(code).toBe(0);
  const lines = out.split('\n').filter((l) => l.startsWith('{'));
  expect(lines).toHaveLength(total);
  const entries = lines.map((l) => JSON.parse(l) as { action: string; reservationId: string | null; at: string });
  expect(entries.filter((e) => e.reservationId === reservationId).map((e) => e.action)).toEqual(['reservation.created', 'checkout.started']);
  expect(out).toContain(`audit:export: ${total} entries of organization default`);
  const other = await runOperatorCommand(server, 'audit-export.ts', ['--org', 'another-hotel']);
  expect(other.out.split('\n').filter((l) => l.startsWith('{'))).toHaveLength(0);
});

it('records nothing for a refused action', async () => {
  // a retry of a paid reservation is refused: no attempt, no entry
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  await server.settled();
  await eventually(async () => expect((await paymentStatus(server, who.guest, reservationId)).state).toBe('PAID'));
  const before = await server.db.prisma.auditEntry.count({ where: { reservationId } });
  const again = await server.gql(RetryPaymentDocument, { reservationId }, { token: who.guest });
  expect(again.errors?.[0]?.extensions?.code).toBeDefined();
  expect(await server.db.prisma.auditEntry.count({ where: { reservationId } })).toBe(before);
});

it('records a reconciliation repair, and a dispute, with the job or Stripe as the actor', async () => {
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  const paused = server.pauseWebhooks(); // Stripe's deliveries are lost
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  expect(await server.app.reconciliation.reconcilePendingPayments(0)).toBeGreaterThanOrEqual(1);
  await paused.resume();
  await server.settled();
  const repaired = await allEntries({ reservationId });
  expect(repaired.map(brief)).toEqual([
    ['reservation.created', 'API', 'booking-system', null, 'PENDING', 24000],
    ['checkout.started', 'API', 'guest-1', null, 'PENDING', 24000],
    ['payment.succeeded', 'JOB', 'system', 'PENDING', 'SUCCEEDED', 24000],
    ['reservation.confirmed', 'JOB', 'system', 'PENDING', 'CONFIRMED', null],
    ['reconciliation.repair', 'JOB', 'system', null, null, null],
  ]);
  expect(repaired[4].requestId).toBe('reconcile-pending-payments');

  const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
  const intent = await server.stripe.paymentIntents.retrieve(payment.paymentIntentId!);
  server.emulator.openDispute(intent.latest_charge as string);
  await server.settled();
  const disputes = await allEntries({ reservationId, action: 'dispute.opened' });
  expect(disputes).toHaveLength(1);
  expect(disputes[0]).toMatchObject({ source: 'WEBHOOK', actorId: 'stripe', targetType: 'dispute', paymentId: session.paymentId, amount: 24000 });
  expect(disputes[0].targetId).toMatch(/^dp_/);
});
