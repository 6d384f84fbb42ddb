/**
 * refundQuote tells what refundPayment would refund now, by the same policy
 * module, and changes nothing: each quote is followed by the refund it predicts.
 */
import { RefundPaymentDocument, RefundQuoteDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { createReservation, eventually, startCheckout, startWithActors } from '../support/scenario';
import type { TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => ({ server } = await startWithActors()));
afterAll(() => server.close());

/** tokens minted at the clock's now (the tests move it by days) */
const who = {
  admin: () => server.token('booking-system', 'ADMIN'),
  guest: () => server.token('guest-1', 'GUEST'),
  otherGuest: () => server.token('guest-2', 'GUEST'),
};

const DAY = 86_400_000;

async function paid(checkInInDays: number, amount = 24000) {
  const reservationId = await createReservation(server, await who.admin(), 'guest-1', amount, checkInInDays + (server.clock.now().getTime() - Date.now()) / DAY);
  const session = await startCheckout(server, await who.guest(), reservationId);
  await payOnCheckoutPage(session.url, {});
  await server.settled();
  await eventually(async () => {
    expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('SUCCEEDED');
  });
  return session.paymentId;
}

const quote = async (paymentId: string, as = who.admin) => server.gql(RefundQuoteDocument, { paymentId }, { token: await as() });
const refund = async (input: { paymentId: string; amount?: number }, as = who.admin) => server.gql(RefundPaymentDocument, { input }, { token: await as() });

it('quotes the tier the clock is in, and refundPayment refunds exactly the quote', async () => {
  const paymentId = await paid(20.5);
  const full = (await quote(paymentId, who.guest)).data!.refundQuote;
  expect(full).toMatchObject({ paymentId, amount: 24000, tier: 'FULL', daysBeforeCheckIn: 20, refundableAmount: 24000, currency: 'EUR' });
  expect(full.reason).toMatch(/^Check-in is 20 whole days away \(14 or more\): the full amount$/);

  // an admin's goodwill refund first, then 10 days later the policy (half, less what was refunded)
  expect((await refund({ paymentId, amount: 2000 })).errors).toBeUndefined();
  await server.clock.advance(10 * DAY);
  const half = (await quote(paymentId)).data!.refundQuote;
  expect(half).toMatchObject({ amount: 10000, tier: 'HALF', daysBeforeCheckIn: 10, refundableAmount: 22000 });
  expect(half.reason).toMatch(/half the amount.*less what was already refunded/);
  expect(await server.db.prisma.refund.count({ where: { paymentId } })).toBe(1); // quoting holds nothing

  const made = await refund({ paymentId });
  expect(made.data!.refundPayment).toMatchObject({ amount: half.amount, policy: half.tier });
  const after = (await quote(paymentId)).data!.refundQuote;
  expect(after).toMatchObject({ amount: 0, tier: 'HALF', refundableAmount: 12000, reason: 'The policy refund has already been made' });
});

it('under 7 days: nothing due, in the words of NO_REFUND_DUE; an explicit amount may still go up to what remains', async () => {
  const paymentId = await paid(6.5);
  const q = (await quote(paymentId)).data!.refundQuote;
  expect(q).toMatchObject({ amount: 0, tier: 'NONE', daysBeforeCheckIn: 6, refundableAmount: 24000 });
  const refused = await refund({ paymentId }, who.guest);
  expect(refused.errors?.[0]).toMatchObject({ message: q.reason, extensions: { code: 'NO_REFUND_DUE' } });
});

it('an unpaid attempt quotes nothing; refusals are the usual ones', async () => {
  const reservationId = await createReservation(server, await who.admin());
  const { paymentId } = await startCheckout(server, await who.guest(), reservationId);
  expect((await quote(paymentId)).data!.refundQuote).toMatchObject({ amount: 0, refundableAmount: 0, reason: expect.stringMatching(/not succeeded/) });
  expect((await quote(paymentId, who.otherGuest)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect((await server.gql(RefundQuoteDocument, { paymentId }, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect((await quote('00000000-0000-4000-8000-000000000000')).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect((await quote('nope')).errors?.[0]).toMatchObject({ message: 'paymentId: is not a payment id', extensions: { code: 'BAD_USER_INPUT' } });
});
