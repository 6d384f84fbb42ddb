/**
 * What a payment result page says: the reservation's overall payment state
 * (payment-rules.ts, from our rows, so only webhooks ever make it "paid"),
 * told apart further for a delayed method: an attempt still PENDING whose
 * checkout Stripe reported completed (`checkout.session.completed`, unpaid) is
 * "processing" (a SEPA debit clears in days), never success.
 */
import type { PrismaClient } from '../db';
import { PaymentAttemptStatus, WebhookEventResult } from '../db';
import { PaymentState, overallState } from '../payments/payment-rules';

export type ResultPage = 'success' | 'cancelled';

export interface PaymentResultView {
  state: PaymentState;
  /** a delayed-method payment that Stripe is still collecting */
  processing: boolean;
  title: string;
  detail: string;
  /** nothing will change by itself any more: the page stops polling */
  final: boolean;
}

function describe(state: PaymentState, processing: boolean, page: ResultPage): Omit<PaymentResultView, 'state' | 'processing'> {
  switch (state) {
    case PaymentState.PAID:
      return { title: 'Payment received', detail: 'Your reservation is confirmed. A receipt is on its way.', final: true };
    case PaymentState.PARTIALLY_REFUNDED:
      return { title: 'Partly refunded', detail: 'This payment was received and part of it has been refunded.', final: true };
    case PaymentState.REFUNDED:
      return { title: 'Refunded', detail: 'This payment has been refunded in full.', final: true };
    case PaymentState.FAILED:
      return { title: 'Payment failed', detail: 'Nothing was charged. You can try again from your booking.', final: true };
    case PaymentState.EXPIRED:
      return { title: 'Payment window closed', detail: 'The checkout or the reservation hold expired before payment. Nothing was charged.', final: true };
    case PaymentState.PENDING:
      if (processing) {
        return {
          title: 'Payment processing',
          detail: 'Your bank payment is being collected; this can take a few business days. Your reservation is confirmed once it clears.',
          final: false,
        };
      }
      return page === 'success'
        ? { title: 'Confirming your payment…', detail: 'Waiting for the payment provider to confirm. This page updates by itself.', final: false }
        : { title: 'Payment not completed', detail: 'Nothing was charged. Your checkout stays open for a while: you can go back and pay.', final: false };
    default:
      return { title: 'Not paid yet', detail: 'No payment has been made for this reservation.', final: page === 'cancelled' };
  }
}

export class PaymentResultService {
  constructor(private readonly prisma: PrismaClient) {}

  /** The page's view of a reservation, or null when there is no such reservation. */
  async view(reservationId: string, page: ResultPage): Promise<PaymentResultView | null> {
    const reservation = await this.prisma.reservation.findUnique({
      where: { id: reservationId },
      select: { status: true, payments: { select: { id: true, status: true }, orderBy: { attempt: 'desc' } } },
    });
    if (!reservation) return null;
    const state = overallState(reservation, reservation.payments);
    const latest = reservation.payments[0];
    const processing =
      state === PaymentState.PENDING &&
      latest?.status === PaymentAttemptStatus.PENDING &&
      (await this.prisma.webhookEvent.count({
        where: { paymentId: latest.id, type: 'checkout.session.completed', result: WebhookEventResult.PROCESSED },
      })) > 0;
    return { state, processing, ...describe(state, processing, page) };
  }
}
