import { SignJWT } from 'jose';
import { signToken } from '../../src/auth/token-verifier';
import { CreateReservationDocument, GetReservationDocument } from '../graphql/generated';
import { TEST_JWT_SECRET, startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const query = { id: 'RES-2026-AAAAAA' };

describe('bearer tokens', () => {
  it('answers an operation without a token with UNAUTHENTICATED', async () => {
    const res = await server.gql(GetReservationDocument, query);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data?.reservation ?? null).toBeNull();
  });

  it.each([
    ['a malformed header', 'Token abc'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
  ])('answers %s with 401 UNAUTHENTICATED', async (_label, authorization) => {
    const res = await server.gql(GetReservationDocument, query, { headers: { authorization } });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects a token signed with another secret', async () => {
    const forged = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another'));
    const res = await server.gql(GetReservationDocument, query, { token: forged });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.message).toMatch(/not valid/);
  });

  it('rejects an expired token, saying so', async () => {
    const expired = await new SignJWT({ role: 'GUEST' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('guest-1')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(secret);
    const res = await server.gql(GetReservationDocument, query, { token: expired });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.message).toMatch(/expired/);
  });

  it('a token accepted before (remembered, not verified again) is refused once it expires', async () => {
    const token = await signToken(TEST_JWT_SECRET, { id: 'guest-1', role: 'GUEST' }, { expiresIn: '60s', now: server.clock.now() });
    expect((await server.gql(GetReservationDocument, query, { token })).status).toBe(200);
    expect((await server.gql(GetReservationDocument, query, { token })).status).toBe(200);
    await server.clock.advance(2 * 60_000); // past exp and the 30 s skew
    const later = await server.gql(GetReservationDocument, query, { token });
    expect(later.status).toBe(401);
    expect(later.errors?.[0]?.message).toMatch(/expired/);
  });

  it('rejects a token without a known role', async () => {
    const noRole = await new SignJWT({ role: 'ROOT' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('guest-1')
      .setExpirationTime('1h')
      .sign(secret);
    const res = await server.gql(GetReservationDocument, query, { token: noRole });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects the "none" algorithm', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'x', role: 'ADMIN' })).toString('base64url');
    const res = await server.gql(GetReservationDocument, query, { token: `${header}.${payload}.` });
    expect(res.status).toBe(401);
  });
});

describe('roles', () => {
  it('answers a GUEST calling an ADMIN operation with FORBIDDEN and writes nothing', async () => {
    const token = await server.token('guest-1', 'GUEST');
    const res = await server.gql(
      CreateReservationDocument,
      {
        input: {
          guestId: 'guest-1',
          description: 'Sea view',
          checkIn: '2027-06-01T15:00:00Z',
          checkOut: '2027-06-03T11:00:00Z',
          amount: 20000,
        },
      },
      { token },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await server.db.prisma.reservation.count()).toBe(0);
  });
});
