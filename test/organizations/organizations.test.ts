/**
 * Organizations (SPEC "Organizations", issue 15): every object belongs to the
 * organization of the token that created it; an admin or a guest of another
 * organization finds nothing (NOT_FOUND, never FORBIDDEN) and changes nothing.
 */
import {
  AuditLogDocument,
  ConsistencyReportDocument,
  CreateCheckoutSessionDocument,
  GetReservationDocument,
  ListPaymentsDocument,
  PaymentStatusChangedDocument,
  PaymentStatusDocument,
  PaymentsConnectionDocument,
  RefundPaymentDocument,
  RefundQuoteDocument,
  RetryPaymentDocument,
} from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { bearer, liveClient, watch } from '../support/live-client';
import { createReservation, startCheckout } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
/** hotel-a's admin and guest, hotel-b's admin and a guest with the same user id, a token with no org */
let who: { adminA: string; guestA: string; adminB: string; guestB: string; adminDefault: string };
let reservationId: string;
let paymentId: string;

beforeAll(async () => {
  server = await startTestServer();
  who = {
    adminA: await server.token('booking-system', 'ADMIN', 'hotel-a'),
    guestA: await server.token('guest-1', 'GUEST', 'hotel-a'),
    adminB: await server.token('booking-system', 'ADMIN', 'hotel-b'),
    guestB: await server.token('guest-1', 'GUEST', 'hotel-b'),
    adminDefault: await server.token('booking-system', 'ADMIN'),
  };
  reservationId = await createReservation(server, who.adminA);
  const session = await startCheckout(server, who.guestA, reservationId);
  paymentId = session.paymentId;
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  await server.settled();
});
afterAll(() => server.close());

/** What another organization must not change: our rows, the audit trail, and Stripe. */
async function footprint() {
  const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
  return {
    reservation: await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } }),
    payments: await server.db.prisma.payment.findMany({ where: { reservationId }, orderBy: { attempt: 'asc' } }),
    refunds: await server.db.prisma.refund.count(),
    audit: await server.db.prisma.auditEntry.count(),
    stripeRefunds: (await server.stripe.refunds.list({ payment_intent: payment.paymentIntentId!, limit: 100 })).data.length,
    stripeSessions: (await server.stripe.checkout.sessions.list({ limit: 100 })).data.length,
  };
}

it('stores the creator’s organization, and sends it to Stripe in metadata', async () => {
  expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).orgId).toBe('hotel-a');
  const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const session = await server.stripe.checkout.sessions.retrieve(payment.checkoutSessionId!);
  expect(session.metadata).toMatchObject({ reservation_id: reservationId, org_id: 'hotel-a' });
  const refunded = await server.gql(RefundPaymentDocument, { input: { paymentId, amount: 100, reason: 'minibar' } }, { token: who.adminA });
  expect(refunded.errors).toBeUndefined();
  const refund = await server.stripe.refunds.retrieve(refunded.data!.refundPayment.stripeRefundId!);
  expect(refund.metadata).toMatchObject({ org_id: 'hotel-a', reservation_id: reservationId });
  await server.settled();
});

it('every query and mutation from another organization finds nothing and writes nothing', async () => {
  const before = await footprint();
  for (const token of [who.adminB, who.guestB, who.adminDefault]) {
    const reservation = await server.gql(GetReservationDocument, { id: reservationId }, { token });
    expect(reservation.errors).toBeUndefined();
    expect(reservation.data!.reservation).toBeNull();

    const attempts = [
      await server.gql(PaymentStatusDocument, { reservationId }, { token }),
      await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token }),
      await server.gql(RetryPaymentDocument, { reservationId }, { token }),
      await server.gql(RefundPaymentDocument, { input: { paymentId } }, { token }),
      await server.gql(RefundPaymentDocument, { input: { paymentId, idempotencyKey: 'cross-org-1' } }, { token }),
      await server.gql(RefundQuoteDocument, { paymentId }, { token }),
    ];
    for (const res of attempts) {
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(res.data ?? null).toBeNull();
    }
  }
  // an admin's explicit amount, too
  const amount = await server.gql(RefundPaymentDocument, { input: { paymentId, amount: 500 } }, { token: who.adminB });
  expect(amount.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(await footprint()).toEqual(before);
});

it('the admin lists, the audit trail and the consistency report show only the caller’s organization', async () => {
  const listA = await server.gql(ListPaymentsDocument, { first: 50 }, { token: who.adminA });
  expect(listA.data!.payments.map((p) => p.id)).toEqual([paymentId]);
  const listB = await server.gql(ListPaymentsDocument, { first: 50 }, { token: who.adminB });
  expect(listB.errors).toBeUndefined();
  expect(listB.data!.payments).toEqual([]);
  const pagedB = await server.gql(PaymentsConnectionDocument, { filter: { reservationId } }, { token: who.adminB });
  expect(pagedB.data!.paymentsConnection.edges).toEqual([]);
  const pagedA = await server.gql(PaymentsConnectionDocument, { filter: { reservationId } }, { token: who.adminA });
  expect(pagedA.data!.paymentsConnection.edges.map((e) => e.node.id)).toEqual([paymentId]);

  const auditA = await server.gql(AuditLogDocument, { filter: { reservationId }, first: 100 }, { token: who.adminA });
  expect(auditA.data!.auditLog.edges.length).toBeGreaterThanOrEqual(4);
  expect(auditA.data!.auditLog.edges.every((e) => e.node.orgId === 'hotel-a')).toBe(true);
  const auditB = await server.gql(AuditLogDocument, { first: 100 }, { token: who.adminB });
  expect(auditB.data!.auditLog.edges).toEqual([]);

  const reportB = await server.gql(ConsistencyReportDocument, {}, { token: who.adminB });
  expect(reportB.errors).toBeUndefined();
  expect(reportB.data!.consistencyReport.checkedPayments).toBe(0);
  const reportA = await server.gql(ConsistencyReportDocument, {}, { token: who.adminA });
  expect(reportA.data!.consistencyReport.checkedPayments).toBe(1);
});

it('the live subscription from another organization answers NOT_FOUND', async () => {
  const client = liveClient(server.url, bearer(who.adminB));
  try {
    const live = watch(client, PaymentStatusChangedDocument, { reservationId });
    await live.ended();
    expect(live.results[0].data ?? null).toBeNull();
    expect(live.results[0].errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const own = liveClient(server.url, bearer(who.guestA));
    try {
      const mine = watch(own, PaymentStatusChangedDocument, { reservationId });
      await mine.until((d) => d.paymentStatusChanged.reservation.id === reservationId);
    } finally {
      await own.dispose();
    }
  } finally {
    await client.dispose();
  }
});

it('a webhook is applied to our own row’s organization, whatever its metadata claims', async () => {
  const other = await createReservation(server, who.adminA);
  const session = await startCheckout(server, who.guestA, other);
  const paused = server.pauseWebhooks();
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  const paid = await server.stripe.checkout.sessions.retrieve(session.sessionId);
  expect(paid.payment_status).toBe('paid');
  const edited = {
    id: 'evt_org_metadata_edited_1',
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(server.clock.now().getTime() / 1000),
    data: { object: { ...paid, metadata: { ...paid.metadata, org_id: 'hotel-b' } } },
  };
  // signed like Stripe: a true event whose metadata says another organization
  expect((await server.sendWebhook(edited)).status).toBe(200);
  await server.settled();
  const entries = await server.db.prisma.auditEntry.findMany({ where: { stripeEventId: edited.id } });
  expect(entries.map((e) => [e.action, e.orgId])).toEqual([
    ['payment.succeeded', 'hotel-a'],
    ['reservation.confirmed', 'hotel-a'],
  ]);
  const auditB = await server.gql(AuditLogDocument, { first: 100 }, { token: who.adminB });
  expect(auditB.data!.auditLog.edges).toEqual([]);
  await paused.resume();
  await server.settled();
  expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: other } }))).toMatchObject({ orgId: 'hotel-a', status: 'CONFIRMED' });
});

it('refuses a token whose org is not an organization id', async () => {
  const { SignJWT } = await import('jose');
  const now = Math.floor(server.clock.now().getTime() / 1000);
  const bad = await new SignJWT({ role: 'ADMIN', org: 'hotel a; drop' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('booking-system')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(server.app.config.jwt.secret!));
  const res = await server.gql(ListPaymentsDocument, { first: 1 }, { token: bad });
  expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});
