import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { requireUser } from '../auth/access';
import { COST } from '../http/query-cost';
import type { RequestContext } from '../http/request-context';
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
      'Refund a payment: guests get the cancellation policy amount and the reservation is cancelled; an admin may give an explicit amount (no cancellation)',
  })
  refundPayment(@Arg('input') input: RefundPaymentInput, @Ctx() ctx: RequestContext) {
    return this.refunds.refundPayment(input, requireUser(ctx.user), ctx);
  }
}
