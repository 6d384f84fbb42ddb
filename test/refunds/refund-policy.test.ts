import { guestRefundDue, policyAmount, refundTier, wholeDaysBefore } from '../../src/refunds/refund-policy';

const checkIn = new Date('2027-06-15T15:00:00.000Z');
const at = (daysBefore: number, minutes = 0) =>
  new Date(checkIn.getTime() - daysBefore * 86_400_000 + minutes * 60_000);

describe('refund tier by whole days before check-in (24 h periods to the check-in instant)', () => {
  it.each([
    ['30 days before', at(30), 30, 'FULL'],
    ['exactly 14 days before', at(14), 14, 'FULL'],
    ['14 days minus a minute', at(14, 1), 13, 'HALF'],
    ['14 days plus a minute', at(14, -1), 14, 'FULL'],
    ['exactly 7 days before', at(7), 7, 'HALF'],
    ['7 days minus a minute', at(7, 1), 6, 'NONE'],
    ['7 days plus a minute', at(7, -1), 7, 'HALF'],
    ['10 days before', at(10), 10, 'HALF'],
    ['the day before', at(1), 1, 'NONE'],
    ['an hour before', at(0, -60), 0, 'NONE'],
    ['after check-in', at(-1), -1, 'NONE'],
  ] as const)('%s → %s whole days, %s', (_label, requestedAt, days, tier) => {
    expect(wholeDaysBefore(checkIn, requestedAt)).toBe(days);
    expect(refundTier(checkIn, requestedAt)).toBe(tier);
  });

  it('does not depend on the time zone of the process', () => {
    // instants only: the same answer whatever TZ says
    expect(refundTier(new Date('2027-01-15T00:30:00+14:00'), new Date('2027-01-01T00:30:00-12:00'))).toBe('HALF');
  });
});

describe('amounts', () => {
  it.each([
    ['FULL', 24000, 24000],
    ['HALF', 24000, 12000],
    ['HALF', 24001, 12000], // rounded down to the cent
    ['HALF', 1, 0],
    ['NONE', 24000, 0],
  ] as const)('%s of %i cents is %i', (tier, paid, due) => {
    expect(policyAmount(tier, paid)).toBe(due);
  });

  it('counts earlier refunds towards the policy share and never exceeds what remains', () => {
    expect(guestRefundDue({ amount: 10000, refundedAmount: 0 }, checkIn, at(20))).toEqual({ tier: 'FULL', amount: 10000 });
    expect(guestRefundDue({ amount: 10000, refundedAmount: 3000 }, checkIn, at(20))).toEqual({ tier: 'FULL', amount: 7000 });
    expect(guestRefundDue({ amount: 10000, refundedAmount: 3000 }, checkIn, at(10))).toEqual({ tier: 'HALF', amount: 2000 });
    expect(guestRefundDue({ amount: 10000, refundedAmount: 6000 }, checkIn, at(10))).toEqual({ tier: 'HALF', amount: 0 });
    expect(guestRefundDue({ amount: 10000, refundedAmount: 10000 }, checkIn, at(20))).toEqual({ tier: 'FULL', amount: 0 });
    expect(guestRefundDue({ amount: 10000, refundedAmount: 0 }, checkIn, at(3))).toEqual({ tier: 'NONE', amount: 0 });
  });
});
