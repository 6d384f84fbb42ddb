/**
 * Token rules: `exp` required, a maximum lifetime (JWT_MAX_LIFETIME_SECONDS),
 * `nbf` and `iat` honoured with JWT_CLOCK_SKEW_SECONDS; and no token on any
 * protected operation, admin-only ones included, is UNAUTHENTICATED. Refused
 * calls write nothing.
 */
import { SignJWT } from 'jose';
import {
  CreateCheckoutSessionDocument,
  CreateReservationDocument,
  GetReservationDocument,
  ListPaymentsDocument,
  PaymentStatusDocument,
  RefundPaymentDocument,
  RetryPaymentDocument,
} from '../graphql/generated';
import { TEST_JWT_SECRET, startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ JWT_MAX_LIFETIME_SECONDS: '3600', JWT_CLOCK_SKEW_SECONDS: '30' });
});
afterAll(() => server.close());

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const nowS = () => Math.floor(Date.now() / 1000);
const input = {
  guestId: 'guest-1',
  description: 'Sea view',
  checkIn: '2031-06-01T15:00:00Z',
  checkOut: '2031-06-03T11:00:00Z',
  amount: 20000,
};

function admin(claims: { iat?: number; exp?: number; nbf?: number }) {
  let jwt = new SignJWT({ role: 'ADMIN' }).setProtectedHeader({ alg: 'HS256' }).setSubject('booking-system');
  if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) jwt = jwt.setNotBefore(claims.nbf);
  return jwt.sign(secret);
}

async function expectRefused(token: string, message: RegExp) {
  const res = await server.gql(CreateReservationDocument, { input }, { token });
  expect(res.status).toBe(401);
  expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(res.errors?.[0]?.message).toMatch(message);
  expect(await server.db.prisma.reservation.count()).toBe(0);
}

describe('token lifetime', () => {
  it('refuses a token without exp', async () => {
    await expectRefused(await admin({ iat: nowS() }), /must carry `exp`/);
  });

  it('refuses a token that lives longer than the maximum', async () => {
    await expectRefused(await admin({ iat: nowS(), exp: nowS() + 3600 + 31 + 60 }), /longer than the allowed 3600 s/);
  });

  it('measures the lifetime from now when there is no iat', async () => {
    await expectRefused(await admin({ exp: nowS() + 2 * 3600 }), /longer than the allowed/);
  });

  it('refuses a token issued in the future, beyond the clock skew', async () => {
    await expectRefused(await admin({ iat: nowS() + 120, exp: nowS() + 600 }), /issued in the future/);
  });

  it('refuses a token not valid yet (nbf), beyond the clock skew', async () => {
    await expectRefused(await admin({ iat: nowS(), nbf: nowS() + 120, exp: nowS() + 600 }), /not valid yet/);
  });

  it('refuses a token expired beyond the clock skew', async () => {
    await expectRefused(await admin({ iat: nowS() - 600, exp: nowS() - 60 }), /expired/);
  });

  it('accepts nbf, iat and exp within the clock skew of our clock', async () => {
    const token = await admin({ iat: nowS() + 20, nbf: nowS() + 20, exp: nowS() - 10 + 3600 });
    const res = await server.gql(CreateReservationDocument, { input }, { token });
    expect(res.errors).toBeUndefined();
    const expiredJustNow = await admin({ iat: nowS() - 600, exp: nowS() - 10 });
    const late = await server.gql(GetReservationDocument, { id: res.data!.createReservation.id }, { token: expiredJustNow });
    expect(late.errors).toBeUndefined();
    await server.db.prisma.reservation.deleteMany();
  });
});

describe('no token on a protected operation is UNAUTHENTICATED, admin-only ones included', () => {
  const uuid = '00000000-0000-4000-8000-000000000000';
  it.each([
    ['createReservation (ADMIN)', () => server.gql(CreateReservationDocument, { input })],
    ['payments (ADMIN)', () => server.gql(ListPaymentsDocument, { first: 10 })],
    ['reservation', () => server.gql(GetReservationDocument, { id: 'RES-2026-AAAAAA' })],
    ['paymentStatus', () => server.gql(PaymentStatusDocument, { reservationId: 'RES-2026-AAAAAA' })],
    ['createCheckoutSession', () => server.gql(CreateCheckoutSessionDocument, { input: { reservationId: 'RES-2026-AAAAAA' } })],
    ['retryPayment', () => server.gql(RetryPaymentDocument, { reservationId: 'RES-2026-AAAAAA' })],
    ['refundPayment', () => server.gql(RefundPaymentDocument, { input: { paymentId: uuid } })],
  ])('%s', async (_name, call) => {
    const res = await call();
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    // no data: null, or the nullable root field null
    expect(Object.values(res.data ?? {}).filter((value) => value !== null)).toEqual([]);
    expect(await server.db.prisma.reservation.count()).toBe(0);
    expect(await server.db.prisma.payment.count()).toBe(0);
    expect(await server.db.prisma.refund.count()).toBe(0);
  });
});
