/**
 * Which audit action each move of the booking's state is: the one place that
 * names them. The transition authority tells every move (src/lifecycle); the
 * audit trail records what this file returns, in the same transaction.
 *
 * Actions are `<object>.<what happened>`; README ("Audit trail") lists them.
 */
import type { Transition } from '../lifecycle/transition-authority';
import type { AuditDraft } from '../lifecycle/work';

export const AUDIT_ACTIONS = [
  'reservation.created',
  'reservation.confirmed',
  'reservation.cancelled',
  'reservation.expired',
  'checkout.started',
  'retry.started',
  'checkout.withdrawn',
  'payment.succeeded',
  'payment.failed',
  'payment.partially_refunded',
  'payment.refunded',
  'attempt.expired',
  'attempt.canceled',
  'refund.requested',
  'refund.pending',
  'refund.succeeded',
  'refund.failed',
  'refund.canceled',
  'refund.withdrawn',
  'dispute.opened',
  'reconciliation.repair',
  'payment_link.created',
  'payment_link.revoked',
  'notification.sent',
  'notification.failed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const ATTEMPT_ACTIONS: Record<string, AuditAction> = {
  SUCCEEDED: 'payment.succeeded',
  FAILED: 'payment.failed',
  PARTIALLY_REFUNDED: 'payment.partially_refunded',
  REFUNDED: 'payment.refunded',
  EXPIRED: 'attempt.expired',
  CANCELED: 'attempt.canceled',
};

/** The entry a move makes; null for a move that is not worth one (none today). */
export function auditOfTransition(t: Transition): AuditDraft | null {
  switch (t.entity) {
    case 'reservation':
      return {
        action: `reservation.${t.to.toLowerCase()}` as AuditAction,
        targetType: 'reservation',
        targetId: t.id,
        reservationId: t.reservationId,
        before: t.from,
        after: t.to,
      };
    case 'attempt': {
      if (t.from === null) {
        return {
          action: t.attempt.attempt === 1 ? 'checkout.started' : 'retry.started',
          targetType: 'payment',
          targetId: t.id,
          reservationId: t.reservationId,
          paymentId: t.id,
          after: t.to,
          amount: t.attempt.amount,
        };
      }
      const action = ATTEMPT_ACTIONS[t.to];
      if (!action) return null;
      // a paid attempt's amount is what was taken; a refunded one's, what is refunded so far
      const amount = t.to === 'SUCCEEDED' ? t.attempt.amount : t.to === 'PARTIALLY_REFUNDED' || t.to === 'REFUNDED' ? t.attempt.refundedAmount : null;
      return { action, targetType: 'payment', targetId: t.id, reservationId: t.reservationId, paymentId: t.id, before: t.from, after: t.to, amount };
    }
    case 'refund':
      return {
        action: `refund.${t.to.toLowerCase()}` as AuditAction,
        targetType: 'refund',
        targetId: t.id,
        reservationId: t.reservationId,
        paymentId: t.paymentId,
        before: t.from,
        after: t.to,
        amount: t.refund.amount,
      };
    case 'withdrawal':
      return {
        action: t.of === 'attempt' ? 'checkout.withdrawn' : 'refund.withdrawn',
        targetType: t.of === 'attempt' ? 'payment' : 'refund',
        targetId: t.id,
        reservationId: t.reservationId,
        paymentId: t.paymentId,
        before: t.of === 'attempt' ? 'PENDING' : 'REQUESTED',
        after: 'WITHDRAWN',
        amount: t.amount,
      };
  }
}
