import { newAttemptBlocker, overallState, paidStatusFor } from '../../src/payments/payment-rules';

type A = Parameters<typeof overallState>[1][number]['status'];
type RS = Parameters<typeof overallState>[0]['status'];
const attempts = (...statuses: A[]) => statuses.map((status) => ({ status }));

describe('overall state of a reservation payment (attempts newest first)', () => {
  it.each<[RS, A[], string]>([
    ['PENDING', [], 'UNPAID'],
    ['PENDING', ['PENDING'], 'PENDING'],
    ['PENDING', ['FAILED'], 'FAILED'],
    ['PENDING', ['CANCELED'], 'FAILED'],
    ['PENDING', ['EXPIRED'], 'EXPIRED'],
    ['PENDING', ['PENDING', 'FAILED'], 'PENDING'],
    ['PENDING', ['EXPIRED', 'FAILED'], 'EXPIRED'],
    ['PENDING', ['FAILED', 'EXPIRED', 'FAILED'], 'FAILED'],
    ['CONFIRMED', ['SUCCEEDED'], 'PAID'],
    ['CONFIRMED', ['SUCCEEDED', 'FAILED'], 'PAID'],
    ['CONFIRMED', ['SUCCEEDED', 'EXPIRED', 'FAILED'], 'PAID'],
    ['CONFIRMED', ['PARTIALLY_REFUNDED'], 'PARTIALLY_REFUNDED'],
    ['CANCELLED', ['REFUNDED'], 'REFUNDED'],
    ['CANCELLED', ['PARTIALLY_REFUNDED', 'FAILED'], 'PARTIALLY_REFUNDED'],
    ['CANCELLED', ['SUCCEEDED'], 'PAID'], // cancelled with NO_REFUND_DUE… not reachable via the policy, but a paid attempt decides
    ['EXPIRED', [], 'EXPIRED'],
    ['EXPIRED', ['EXPIRED'], 'EXPIRED'],
    ['EXPIRED', ['FAILED'], 'EXPIRED'],
    ['EXPIRED', ['PENDING'], 'EXPIRED'],
    ['EXPIRED', ['REFUNDED'], 'REFUNDED'], // paid after the hold lapsed, refunded automatically
    ['CANCELLED', [], 'UNPAID'],
  ])('reservation %s with attempts %j → %s', (reservationStatus, list, expected) => {
    expect(overallState({ status: reservationStatus }, attempts(...list))).toBe(expected);
  });
});

describe('the paid states follow the refunded amount', () => {
  it('derives the paid status from the refunded amount', () => {
    expect(paidStatusFor(1000, 0)).toBe('SUCCEEDED');
    expect(paidStatusFor(1000, 1)).toBe('PARTIALLY_REFUNDED');
    expect(paidStatusFor(1000, 1000)).toBe('REFUNDED');
  });
});

describe('whether a new attempt may start', () => {
  const future = new Date(Date.now() + 3600_000);
  const past = new Date(Date.now() - 1000);
  const now = new Date();
  it.each<[RS, Date, A[], string | null]>([
    ['PENDING', future, [], null],
    ['PENDING', future, ['FAILED'], null],
    ['PENDING', future, ['EXPIRED', 'FAILED'], null],
    ['PENDING', future, ['CANCELED'], null],
    ['PENDING', future, ['FAILED', 'FAILED', 'EXPIRED'], 'RETRY_LIMIT_REACHED'],
    ['PENDING', future, ['PENDING'], 'RESERVATION_NOT_PAYABLE'],
    ['PENDING', past, ['FAILED'], 'HOLD_EXPIRED'],
    ['EXPIRED', past, ['EXPIRED'], 'HOLD_EXPIRED'],
    ['CONFIRMED', future, ['SUCCEEDED'], 'ALREADY_PAID'],
    ['CANCELLED', future, ['REFUNDED'], 'ALREADY_PAID'],
    ['CANCELLED', future, [], 'RESERVATION_NOT_PAYABLE'],
  ])('reservation %s (hold until %s) with %j → %s', (status, holdExpiresAt, list, blocker) => {
    expect(newAttemptBlocker({ status, holdExpiresAt }, attempts(...list), now)).toBe(blocker);
  });
});
