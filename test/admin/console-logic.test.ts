/**
 * The admin console's own rules that touch money or requests, without a browser:
 * euros typed by people → cents, the list's filters, and when a refund request
 * keeps its idempotency key.
 */
import { formatMoney, parseEuros } from '../../admin/src/common/money';
import { parseRoute } from '../../admin/src/common/routes';
import { queryOf, toPaymentFilter, type FilterFields } from '../../admin/src/payments/payment-filters';
import { RefundKeys } from '../../admin/src/refund/idempotency';

describe('euros as typed', () => {
  it.each([
    ['60', 6000],
    ['60.5', 6050],
    ['60,50', 6050],
    ['€ 1 234.05', 123405],
    ['0.01', 1],
    ['0', 0],
    [' 120.00 ', 12000],
  ])('%j is %i cents', (text, cents) => expect(parseEuros(text)).toBe(cents));

  it.each(['', 'abc', '1.234', '-5', '1e3', '12.', '.5', '1,000.00', '10000000000'])('%j is not an amount', (text) => {
    expect(parseEuros(text)).toBeNull();
  });

  it('shows cents as euros, exactly', () => {
    expect(formatMoney(12000)).toMatch(/^€120\.00$|^120[,.]00\s?€$/);
    expect(formatMoney(1)).toMatch(/0[.,]01/);
  });
});

describe('routes of the console (the URL fragment)', () => {
  it.each([
    ['', { screen: 'payments' }],
    ['#/payments?status=SUCCEEDED', { screen: 'payments' }],
    ['#/reservations/RES-2026-7F3K9Q', { screen: 'reservation', reservationId: 'RES-2026-7F3K9Q', refundPaymentId: null }],
    ['#/reservations/RES-2026-7F3K9Q/refund/abc', { screen: 'reservation', reservationId: 'RES-2026-7F3K9Q', refundPaymentId: 'abc' }],
    ['#/main', { screen: 'not-found', path: '/main' }],
    ['#/reservations/%E0%A4%A', { screen: 'not-found' }],
  ])('%j', (hash, route) => expect(parseRoute(hash)).toMatchObject(route));
});

describe("the payments list's filters", () => {
  const fields = (over: Partial<FilterFields>): FilterFields => ({ status: '', reservation: '', guest: '', from: '', to: '', ...over });

  it('sends what was given, reservation ids upper-cased, the last day inclusive', () => {
    const { filter, problems } = toPaymentFilter(fields({ status: 'SUCCEEDED', reservation: ' res-2026-7f3k9q ', guest: 'guest-1', from: '2027-03-01', to: '2027-03-31' }));
    expect(problems).toEqual({});
    expect(filter).toEqual({
      status: 'SUCCEEDED',
      reservationId: 'RES-2026-7F3K9Q',
      guestId: 'guest-1',
      from: new Date(2027, 2, 1).toISOString(),
      to: new Date(2027, 3, 1).toISOString(), // the end of 31 March, local time
    });
    expect(queryOf(fields({ reservation: 'res-1', guest: ' ' })).toString()).toBe('reservation=RES-1');
  });

  it('names what it cannot send', () => {
    expect(toPaymentFilter(fields({ status: 'PAID' })).problems).toEqual({ status: 'Choose a status from the list.' });
    expect(toPaymentFilter(fields({ from: '2027-03-02', to: '2027-03-01' })).problems).toEqual({ to: 'The last day must not be before the first.' });
    expect(toPaymentFilter(fields({ from: 'yesterday' })).problems).toEqual({ from: 'Enter a date.' });
  });
});

describe('idempotency keys of refund requests', () => {
  const request = { paymentId: 'p1', amount: 6000, reason: 'noisy room' };

  it('keeps the key while the request stays the same (double click, confirm again), a new one when it changes or was made', () => {
    const keys = new RefundKeys();
    const first = keys.keyFor(request);
    expect(first).toMatch(/^console-[0-9a-f]{32}$/);
    expect(keys.keyFor({ ...request })).toBe(first);
    const other = keys.keyFor({ ...request, amount: 5000 });
    expect(other).not.toBe(first);
    expect(keys.keyFor({ ...request, amount: 5000 })).toBe(other);
    expect(keys.keyFor({ ...request, reason: null, amount: 5000 })).not.toBe(other);
    const before = keys.keyFor(request);
    keys.used();
    expect(keys.keyFor(request)).not.toBe(before);
  });
});
