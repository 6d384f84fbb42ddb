import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { type RequestContext, callerOf } from '../http/request-context';
import { COST, pageCost } from '../http/query-cost';
import { PaymentFilter } from './payment-search.input';
import { PaymentSearchService } from './payment-search.service';
import { PaymentConnection } from './payment-search.type';

/** The admin console's list of payment attempts (Payment's own fields, reservation and refunds, come from PaymentResolver). */
@Resolver()
export class PaymentSearchResolver {
  constructor(private readonly search: PaymentSearchService) {}

  @Authorized('ADMIN')
  @Query(() => PaymentConnection, {
    complexity: pageCost(COST.read),
    description: 'ADMIN: payment attempts matching the filter, newest first, a page at a time (cursor: pageInfo.endCursor as `after`); first at most 200',
  })
  paymentsConnection(
    @Arg('filter', () => PaymentFilter, { nullable: true }) filter: PaymentFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    return this.search.search(callerOf(ctx).user.orgId, filter ?? {}, first, after);
  }
}
