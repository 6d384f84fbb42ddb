import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireUser } from '../auth/access';
import { PaymentAttemptStatus, type Payment as PaymentRow } from '../db';
import { Reservation } from '../reservations/reservation.type';
import { COST, pageCost } from '../http/query-cost';
import type { RequestContext } from '../http/request-context';
import { Refund } from '../refunds/refund.type';
import { CreateCheckoutSessionInput } from './payment.input';
import { PaymentService } from './payment.service';
import { CheckoutSession, Payment, PaymentStatus } from './payment.type';

@Resolver(() => Payment)
export class PaymentResolver {
  constructor(private readonly paymentService: PaymentService) {}

  @Authorized()
  @Query(() => PaymentStatus, { complexity: COST.read, description: "Where a reservation's payment stands: owner or admin" })
  paymentStatus(@Arg('reservationId', () => ID) reservationId: string, @Ctx() ctx: RequestContext) {
    return this.paymentService.status(reservationId, requireUser(ctx.user), ctx);
  }

  @Authorized()
  @Mutation(() => CheckoutSession, {
    complexity: COST.stripe,
    description:
      'Start paying a reservation: returns its open Stripe Checkout Session, creating the first attempt if there is none',
  })
  createCheckoutSession(@Arg('input') input: CreateCheckoutSessionInput, @Ctx() ctx: RequestContext) {
    return this.paymentService.createCheckoutSession(input, requireUser(ctx.user), ctx);
  }

  @Authorized()
  @Mutation(() => CheckoutSession, { complexity: COST.stripe, description: 'A new checkout attempt after a failed or expired one, within the hold' })
  retryPayment(@Arg('reservationId', () => ID) reservationId: string, @Ctx() ctx: RequestContext) {
    return this.paymentService.retryPayment(reservationId, requireUser(ctx.user), ctx);
  }

  @Authorized('ADMIN')
  @Query(() => [Payment], { complexity: pageCost(COST.read), description: 'ADMIN: payment attempts, newest first, optionally of one status (operators, reconciliation)' })
  payments(
    @Arg('status', () => PaymentAttemptStatus, { nullable: true }) status: PaymentAttemptStatus | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
  ) {
    return this.paymentService.list({ status: status ?? undefined, first });
  }

  @FieldResolver(() => Reservation)
  reservation(@Root() payment: PaymentRow, @Ctx() ctx: RequestContext) {
    return ctx.loaders.reservationById.load(payment.reservationId);
  }

  @FieldResolver(() => [Refund])
  refunds(@Root() payment: PaymentRow, @Ctx() ctx: RequestContext) {
    return ctx.loaders.refundsByPaymentId.load(payment.id);
  }
}
