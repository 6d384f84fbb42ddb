import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { COST } from '../http/query-cost';
import { callerOf, type RequestContext } from '../http/request-context';
import { RefundPaymentInput } from './refund.input';
import { RefundService } from './refund.service';
import { Refund } from './refund.type';

@Resolver(() => Refund)
export class RefundResolver {
  constructor(private readonly refunds: RefundService) {}

  @Authorized()
  @Mutation(() => Refund, {
    complexity: COST.stripe,
    description:
      'Refund a payment: guests get the cancellation policy amount and the reservation is cancelled; an admin may give an explicit amount. ' +
      'A refund the payment provider has not confirmed yet comes back PENDING with no stripeRefundId: it is completed automatically; ' +
      'send the same request with the same idempotencyKey to check on it, never a new one',
  })
  refundPayment(@Arg('input') input: RefundPaymentInput, @Ctx() ctx: RequestContext) {
    return this.refunds.refundPayment(input, callerOf(ctx));
  }
}
