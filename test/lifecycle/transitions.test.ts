import {
  type AttemptStatus,
  type RefundPhase,
  type ReservationStatus,
  canMoveAttempt,
  canMoveRefund,
  canMoveReservation,
  refundPhase,
} from '../../src/lifecycle/transitions';

describe('attempt status moves only forward', () => {
  it.each<[AttemptStatus, AttemptStatus, boolean]>([
    ['PENDING', 'SUCCEEDED', true],
    ['PENDING', 'FAILED', true],
    ['PENDING', 'EXPIRED', true],
    ['PENDING', 'CANCELED', true],
    ['SUCCEEDED', 'EXPIRED', false],
    ['SUCCEEDED', 'FAILED', false],
    ['SUCCEEDED', 'PENDING', false],
    ['SUCCEEDED', 'CANCELED', false],
    ['FAILED', 'SUCCEEDED', false],
    ['EXPIRED', 'SUCCEEDED', true], // Stripe completed a session we had given up on: the money counts
    ['CANCELED', 'SUCCEEDED', true],
    ['FAILED', 'PENDING', false],
    ['EXPIRED', 'PENDING', false],
    ['EXPIRED', 'CANCELED', false],
    ['SUCCEEDED', 'PARTIALLY_REFUNDED', true],
    ['PARTIALLY_REFUNDED', 'REFUNDED', true],
    ['REFUNDED', 'PARTIALLY_REFUNDED', true], // a refund that failed later gives money back
    ['REFUNDED', 'FAILED', false],
  ])('%s → %s: %s', (from, to, allowed) => {
    expect(canMoveAttempt(from, to)).toBe(allowed);
  });
});

describe('reservation status', () => {
  it.each<[ReservationStatus, ReservationStatus, boolean]>([
    ['PENDING', 'CONFIRMED', true],
    ['PENDING', 'EXPIRED', true],
    ['PENDING', 'CANCELLED', true],
    ['CONFIRMED', 'CANCELLED', true],
    ['CONFIRMED', 'EXPIRED', false],
    ['CONFIRMED', 'PENDING', false],
    ['EXPIRED', 'CONFIRMED', false], // a late payment is refunded, never confirmed
    ['CANCELLED', 'CONFIRMED', false],
  ])('%s → %s: %s', (from, to, allowed) => {
    expect(canMoveReservation(from, to)).toBe(allowed);
  });
});

describe('refund phases', () => {
  it('a PENDING row without a Stripe id is a request Stripe has not acknowledged', () => {
    expect(refundPhase({ status: 'PENDING', stripeRefundId: null })).toBe('REQUESTED');
    expect(refundPhase({ status: 'PENDING', stripeRefundId: 're_1' })).toBe('PENDING');
    expect(refundPhase({ status: 'SUCCEEDED', stripeRefundId: 're_1' })).toBe('SUCCEEDED');
  });

  it.each<[RefundPhase, RefundPhase, boolean]>([
    ['REQUESTED', 'SUCCEEDED', true],
    ['REQUESTED', 'PENDING', true],
    ['REQUESTED', 'FAILED', true],
    ['PENDING', 'SUCCEEDED', true],
    ['SUCCEEDED', 'FAILED', true], // refund.failed after it succeeded: the card was closed
    ['SUCCEEDED', 'PENDING', false],
    ['FAILED', 'SUCCEEDED', false],
    ['CANCELED', 'SUCCEEDED', false],
    ['SUCCEEDED', 'REQUESTED', false],
  ])('%s → %s: %s', (from, to, allowed) => {
    expect(canMoveRefund(from, to)).toBe(allowed);
  });
});
