import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { COST } from '../http/query-cost';
import { callerOf, type RequestContext } from '../http/request-context';
import { RefundQuoteService } from './refund-quote.service';
import { RefundQuote } from './refund-quote.type';

@Resolver()
export class RefundQuoteResolver {
  constructor(private readonly quotes: RefundQuoteService) {}

  @Authorized()
  @Query(() => RefundQuote, {
    complexity: COST.read,
    description: 'What refundPayment would refund now (the cancellation policy) and the most an explicit amount may be: owner or admin. Changes nothing',
  })
  refundQuote(@Arg('paymentId', () => ID) paymentId: string, @Ctx() ctx: RequestContext) {
    return this.quotes.quote(paymentId, callerOf(ctx));
  }
}
