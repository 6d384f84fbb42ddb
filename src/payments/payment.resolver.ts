import { Arg, Authorized, FieldResolver, ID, Mutation, Query, Resolver, Root, Ctx } from 'type-graphql';
import type { Payment as PaymentRow } from '../db';
import { notImplemented } from '../errors';
import type { RequestContext } from '../http/request-context';
import { Refund } from '../refunds/refund.type';
import { CreateCheckoutSessionInput } from './payment.input';
import { CheckoutSession, Payment, PaymentStatus } from './payment.type';

@Resolver(() => Payment)
export class PaymentResolver {
  @Authorized()
  @Query(() => PaymentStatus, { description: "Where a reservation's payment stands: owner or admin" })
  paymentStatus(@Arg('reservationId', () => ID) _reservationId: string): PaymentStatus {
    throw notImplemented('paymentStatus', 4);
  }

  @Authorized()
  @Mutation(() => CheckoutSession, {
    description: 'Start paying a reservation: returns the open Stripe Checkout Session, creating it if needed',
  })
  createCheckoutSession(@Arg('input') _input: CreateCheckoutSessionInput): CheckoutSession {
    throw notImplemented('createCheckoutSession', 4);
  }

  @Authorized()
  @Mutation(() => CheckoutSession, { description: 'A new checkout attempt after a failed or expired one, within the hold' })
  retryPayment(@Arg('reservationId', () => ID) _reservationId: string): CheckoutSession {
    throw notImplemented('retryPayment', 5);
  }

  @FieldResolver(() => [Refund])
  refunds(@Root() payment: PaymentRow, @Ctx() ctx: RequestContext) {
    return ctx.loaders.refundsByPaymentId.load(payment.id);
  }
}
