import { Arg, Authorized, Mutation, Resolver } from 'type-graphql';
import { notImplemented } from '../errors';
import { RefundPaymentInput } from './refund.input';
import { Refund } from './refund.type';

@Resolver(() => Refund)
export class RefundResolver {
  @Authorized()
  @Mutation(() => Refund, { description: 'Refund a payment by the cancellation policy (guest) or an explicit amount (admin)' })
  refundPayment(@Arg('input') _input: RefundPaymentInput): Refund {
    throw notImplemented('refundPayment', 6);
  }
}
