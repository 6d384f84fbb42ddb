import {
  CreateReservationDocument,
  GetReservationDocument,
  type CreateReservationInput,
} from '../graphql/generated';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let admin: string;
let guest1: string;
let guest2: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.token('booking-system', 'ADMIN');
  guest1 = await server.token('guest-1', 'GUEST');
  guest2 = await server.token('guest-2', 'GUEST');
});
afterAll(() => server.close());

const valid = (): CreateReservationInput => ({
  guestId: 'guest-1',
  description: 'Double room, 2 nights',
  checkIn: '2027-06-01T15:00:00.000Z',
  checkOut: '2027-06-03T11:00:00.000Z',
  amount: 24000,
});

describe('createReservation', () => {
  it('records a PENDING reservation with a 24 h hold', async () => {
    const before = Date.now();
    const res = await server.gql(CreateReservationDocument, { input: valid() }, { token: admin });
    expect(res.errors).toBeUndefined();
    const created = res.data!.createReservation;
    expect(created.id).toMatch(/^RES-\d{4}-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(created).toMatchObject({ guestId: 'guest-1', amount: 24000, currency: 'EUR', status: 'PENDING' });
    const hold = Date.parse(created.holdExpiresAt) - Date.parse(created.createdAt);
    expect(hold).toBe(24 * 3600 * 1000);
    expect(Date.parse(created.createdAt)).toBeGreaterThanOrEqual(before - 1000);

    const row = await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ guestId: 'guest-1', amount: 24000, currency: 'EUR', status: 'PENDING' });
    expect(row.checkIn.toISOString()).toBe('2027-06-01T15:00:00.000Z');
  });

  it.each<[string, Partial<CreateReservationInput>, RegExp]>([
    ['check-out before check-in', { checkOut: '2027-05-30T11:00:00.000Z' }, /checkOut: must be after checkIn/],
    ['check-out equal to check-in', { checkOut: '2027-06-01T15:00:00.000Z' }, /checkOut: must be after checkIn/],
    ['a zero amount', { amount: 0 }, /amount: must be a positive number of cents/],
    ['a negative amount', { amount: -500 }, /amount: must be a positive number of cents/],
    ['another currency', { currency: 'USD' }, /currency: only EUR is accepted/],
    ['lower-case eur', { currency: 'eur' }, /currency: only EUR is accepted/],
    ['an empty description', { description: '' }, /description:/],
    ['a check-in in the past', { checkIn: '2020-01-01T00:00:00.000Z', checkOut: '2020-01-02T00:00:00.000Z' }, /checkIn: must not be in the past/],
  ])('rejects %s with BAD_USER_INPUT naming the field, writing nothing', async (_label, change, message) => {
    const res = await server.gql(CreateReservationDocument, { input: { ...valid(), ...change } }, { token: admin });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(message);
    expect(await server.db.prisma.reservation.count({ where: { description: valid().description, amount: change.amount ?? -1 } })).toBe(0);
  });

  it('rejects a date that is not ISO-8601 with BAD_USER_INPUT naming the variable', async () => {
    const res = await server.gql(CreateReservationDocument, { input: { ...valid(), checkIn: 'tomorrow' } }, { token: admin });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/checkIn/);
  });

  it('rejects an amount that is not an integer', async () => {
    const res = await server.gql(CreateReservationDocument, { input: { ...valid(), amount: 10.5 } }, { token: admin });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/amount/);
  });
});

describe('reservation(id)', () => {
  let id: string;
  beforeAll(async () => {
    const res = await server.gql(CreateReservationDocument, { input: valid() }, { token: admin });
    id = res.data!.createReservation.id;
  });

  it('is readable by its guest', async () => {
    const res = await server.gql(GetReservationDocument, { id }, { token: guest1 });
    expect(res.errors).toBeUndefined();
    expect(res.data?.reservation).toMatchObject({ id, guestId: 'guest-1', status: 'PENDING' });
  });

  it('is readable by an admin', async () => {
    const res = await server.gql(GetReservationDocument, { id }, { token: admin });
    expect(res.data?.reservation?.id).toBe(id);
  });

  it('is FORBIDDEN to another guest, who learns nothing of it', async () => {
    const res = await server.gql(GetReservationDocument, { id }, { token: guest2 });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.data?.reservation ?? null).toBeNull();
    expect(JSON.stringify(res)).not.toContain('Double room');
  });

  it('is null for an id that does not exist', async () => {
    const res = await server.gql(GetReservationDocument, { id: 'RES-2026-ZZZZZZ' }, { token: admin });
    expect(res.errors).toBeUndefined();
    expect(res.data?.reservation).toBeNull();
  });

  it('answers a malformed id with BAD_USER_INPUT naming it', async () => {
    const res = await server.gql(GetReservationDocument, { id: "1' OR '1'='1" }, { token: admin });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/^id:/);
  });
});
