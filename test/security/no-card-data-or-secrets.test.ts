/**
 * No card data and no secret ever reaches our database or our logs (issue 15,
 * "Cards and secrets"). A whole payment story runs with every log line captured
 * as production writes it (JSON, redacted, at debug); then every row of every
 * table and every log line is scanned for card-number-like digit runs (Luhn-valid,
 * 13 to 19 digits, a card network's first digit) and secret prefixes.
 */
import { RefundPaymentDocument, RetryPaymentDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { actors, createReservation, startCheckout } from '../support/scenario';
import { TEST_JWT_SECRET, startTestServer, type TestServer } from '../support/test-server';

const logs: string[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { logTo: (line) => logs.push(line) });
});
afterAll(() => server.close());

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** What looks like a card number or a secret in a text. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?<![\d.])[3-6](?:[ -]?\d){12,18}(?![\d.])/g)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (luhn(digits)) found.push(`card-like ${m[0]}`);
  }
  for (const m of text.matchAll(/\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9_]+|\bwhsec_[A-Za-z0-9]+|\beyJ[A-Za-z0-9_-]{10,}/g)) found.push(`secret-like ${m[0].slice(0, 16)}…`);
  if (text.includes(TEST_JWT_SECRET)) found.push('the JWT secret');
  return found;
}

it('leaves no card number or secret in any table or log line after a whole payment story', async () => {
  const who = await actors(server);
  const reservationId = await createReservation(server, who.admin);
  // a declined card, then an expired session, a retry paid, a refund
  const first = await startCheckout(server, who.guest, reservationId);
  await payOnCheckoutPage(first.url, { card: '4000000000000002' });
  await server.stripe.checkout.sessions.expire(first.sessionId);
  await server.settled();
  const retried = await server.gql(RetryPaymentDocument, { reservationId }, { token: who.guest });
  expect(retried.errors).toBeUndefined();
  await payOnCheckoutPage(retried.data!.retryPayment.url, { card: '4242424242424242' });
  await server.settled();
  const refunded = await server.gql(RefundPaymentDocument, { input: { paymentId: retried.data!.retryPayment.paymentId } }, { token: who.guest });
  expect(refunded.errors).toBeUndefined();
  await server.settled();

  const tables = await server.db.pool.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
  let rows = 0;
  const found: string[] = [];
  for (const { tablename } of tables.rows) {
    const dump = await server.db.pool.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
    rows += dump.rowCount ?? 0;
    for (const { row } of dump.rows) found.push(...leaks(row).map((l) => `${tablename}: ${l}`));
  }
  for (const line of logs) found.push(...leaks(line).map((l) => `log: ${l}`));
  expect(found).toEqual([]);
  // the scan saw the story: rows and log lines, with the Stripe ids the logs carry
  expect(rows).toBeGreaterThan(10);
  expect(logs.length).toBeGreaterThan(20);
  expect(logs.some((l) => l.includes(first.sessionId))).toBe(true);
  // and it would have seen a card number or a token had one been there
  expect(leaks('{"number":"4242 4242 4242 4242"}')).toHaveLength(1);
  expect(leaks(`Bearer ${who.guest}`).length).toBeGreaterThan(0);
});
