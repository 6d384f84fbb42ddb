/**
 * refundQuote: what refundPayment would refund now, computed by the policy module
 * the refunds use (refund-policy.ts), without holding or moving anything. The
 * admin console shows it before an admin confirms; a guest's front end may too.
 */
import { assertOwnerOrAdmin } from '../auth/access';
import type { Caller } from '../auth/caller';
import type { Clock } from '../common/clock';
import type { PrismaClient } from '../db';
import { badInput, notFound } from '../errors';
import { isPaid } from '../payments/payment-rules';
import { quotePolicyRefund } from './refund-policy';
import { RefundTier, type RefundQuote } from './refund-quote.type';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class RefundQuoteService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
  ) {}

  async quote(paymentId: string, caller: Caller): Promise<RefundQuote> {
    if (!UUID.test(paymentId)) throw badInput('paymentId', 'is not a payment id');
    const payment = await this.prisma.payment.findUnique({ where: { id: paymentId }, include: { reservation: true } });
    if (!payment) throw notFound('Payment', paymentId);
    assertOwnerOrAdmin(caller.user, payment.reservation, { type: 'Payment', id: paymentId });
    const now = this.clock.now();
    const policy = quotePolicyRefund(payment, payment.reservation.checkIn, now);
    const refundableAmount = isPaid(payment.status) ? Math.max(0, payment.amount - payment.refundedAmount) : 0;
    const base = { paymentId: payment.id, currency: payment.currency, quotedAt: now, tier: RefundTier[policy.tier], daysBeforeCheckIn: policy.daysBeforeCheckIn, refundableAmount };
    if (!isPaid(payment.status)) return { ...base, amount: 0, reason: 'This payment has not succeeded: there is nothing to refund' };
    if (refundableAmount === 0) return { ...base, amount: 0, reason: 'This payment is already refunded in full' };
    return { ...base, amount: policy.amount, reason: policy.reason };
  }
}
