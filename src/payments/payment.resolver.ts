import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PaymentAttemptStatus, type Payment as PaymentRow } from '../db';
import { Reservation } from '../reservations/reservation.type';
import { COST, pageCost } from '../http/query-cost';
import { callerOf, type RequestContext } from '../http/request-context';
import { Refund } from '../refunds/refund.type';
import { CheckoutService } from './checkout.service';
import { CreateCheckoutSessionInput } from './payment.input';
import { PaymentService } from './payment.service';
import { CheckoutSession, Payment, PaymentStatus } from './payment.type';

@Resolver(() => Payment)
export class PaymentResolver {
  constructor(
    private readonly paymentService: PaymentService,
    private readonly checkout: CheckoutService,
  ) {}

  @Authorized()
  @Query(() => PaymentStatus, { complexity: COST.read, description: "Where a reservation's payment stands: owner or admin" })
  paymentStatus(@Arg('reservationId', () => ID) reservationId: string, @Ctx() ctx: RequestContext) {
    return this.paymentService.status(reservationId, callerOf(ctx), ctx.loaders);
  }

  @Authorized()
  @Mutation(() => CheckoutSession, {
    complexity: COST.stripe,
    description:
      'Start paying a reservation: returns its open Stripe Checkout Session, creating the first attempt if there is none. PAYMENT_PROVIDER_PENDING: Stripe has not confirmed the session yet; call again to get this same attempt',
  })
  createCheckoutSession(@Arg('input') input: CreateCheckoutSessionInput, @Ctx() ctx: RequestContext) {
    return this.checkout.createCheckoutSession(input, callerOf(ctx), ctx.loaders);
  }

  @Authorized()
  @Mutation(() => CheckoutSession, { complexity: COST.stripe, description: 'A new checkout attempt after a failed or expired one, within the hold' })
  retryPayment(@Arg('reservationId', () => ID) reservationId: string, @Ctx() ctx: RequestContext) {
    return this.checkout.retryPayment(reservationId, callerOf(ctx), ctx.loaders);
  }

  @Authorized('ADMIN')
  @Query(() => [Payment], { complexity: pageCost(COST.read), description: 'ADMIN: payment attempts, newest first, optionally of one status (operators, reconciliation)' })
  payments(
    @Arg('status', () => PaymentAttemptStatus, { nullable: true }) status: PaymentAttemptStatus | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: RequestContext,
  ) {
    return this.paymentService.list(callerOf(ctx).user.orgId, { status: status ?? undefined, first });
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
