/**
 * Strict input: a control character in any string argument, sent inline or as
 * a variable, is BAD_USER_INPUT naming the field, and nothing is written.
 * Every input error carries `extensions.fields`.
 */
import { CreateReservationDocument, RefundPaymentDocument } from '../graphql/generated';
import { startTestServer, type TestServer } from '../support/test-server';
import { createReservationText, rawGql } from './support';

let server: TestServer;
let admin: string;
beforeAll(async () => {
  server = await startTestServer();
  admin = await server.token('booking-system', 'ADMIN');
});
afterAll(() => server.close());

const reservationInput = (overrides: Record<string, string> = {}) => ({
  guestId: 'guest-1',
  description: 'Double room',
  checkIn: '2031-06-01T15:00:00Z',
  checkOut: '2031-06-03T11:00:00Z',
  amount: 24000,
  ...overrides,
});

describe('control characters are refused, naming the field', () => {
  it.each([
    ['a NUL byte in description', { description: 'Double\u0000room' }, 'input.description', 'U+0000'],
    ['a NUL byte in guestId', { guestId: 'guest\u00001' }, 'input.guestId', 'U+0000'],
    ['an escape character', { description: 'Double \u001b[31mroom' }, 'input.description', 'U+001B'],
    ['a C1 control character', { description: 'Double \u0085room' }, 'input.description', 'U+0085'],
    ['a lone surrogate', { description: 'Double \ud800room' }, 'input.description', 'well-formed'],
  ])('%s (variables)', async (_label, overrides, field, message) => {
    const res = await server.gql(CreateReservationDocument, { input: reservationInput(overrides) as never }, { token: admin });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.fields).toEqual([{ field, message: expect.stringContaining(message) }]);
    expect(res.errors?.[0]?.message).toContain(field);
    expect(await server.db.prisma.reservation.count()).toBe(0);
  });

  it('in an inline literal, with the argument path', async () => {
    const res = await rawGql(server, `mutation { ${createReservationText('Double\u0000room')} }`, { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.description', message: 'must not contain control characters (U+0000)' }],
    });
    expect(await server.db.prisma.reservation.count()).toBe(0);
  });

  it('in a refund reason and idempotency key', async () => {
    const res = await server.gql(
      RefundPaymentDocument,
      { input: { paymentId: '00000000-0000-4000-8000-000000000000', reason: 'why\u0000', idempotencyKey: 'key\u0007-12345' } },
      { token: admin },
    );
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.fields).toEqual([
      { field: 'input.reason', message: expect.stringContaining('U+0000') },
      { field: 'input.idempotencyKey', message: expect.stringContaining('U+0007') },
    ]);
    expect(await server.db.prisma.refund.count()).toBe(0);
  });

  it('in an id argument', async () => {
    const res = await rawGql(server, '{ paymentStatus(reservationId: "RES-2026-\\u0000AAAAA") { state } }', { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.fields).toEqual([{ field: 'reservationId', message: expect.stringContaining('U+0000') }]);
  });

  it('keeps tabs and line breaks, which a description may hold', async () => {
    const res = await server.gql(CreateReservationDocument, { input: reservationInput({ description: 'Two rooms:\n\tsea view\r\n' }) as never }, { token: admin });
    expect(res.errors).toBeUndefined();
    expect(await server.db.prisma.reservation.count()).toBe(1);
  });
});

describe('one error shape: extensions.fields', () => {
  it('for a malformed id', async () => {
    const res = await rawGql(server, '{ paymentStatus(reservationId: "nope") { state } }', { token: admin });
    expect(res.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'reservationId', message: 'is not a reservation id (RES-YYYY-XXXXXX)' }],
    });
  });

  it('for a rule checked by validation', async () => {
    const res = await server.gql(CreateReservationDocument, { input: reservationInput({ checkOut: '2031-05-01T11:00:00Z' }) as never }, { token: admin });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.fields).toEqual([{ field: 'checkOut', message: 'must be after checkIn' }]);
  });

  it('for a variable that does not fit its type', async () => {
    const res = await server.gql(CreateReservationDocument, { input: { ...reservationInput(), amount: 'many' } as never }, { token: admin });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.fields).toEqual([{ field: 'input.amount', message: expect.stringMatching(/Int cannot represent/) }]);
  });
});
