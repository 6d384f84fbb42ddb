import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { type RequestContext, callerOf } from '../http/request-context';
import { COST, pageCost } from '../http/query-cost';
import { AuditFilter } from './audit.input';
import { AuditService } from './audit.service';
import { AuditConnection } from './audit.type';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Authorized('ADMIN')
  @Query(() => AuditConnection, {
    complexity: pageCost(COST.read),
    description: 'ADMIN: the audit trail of your organization, newest first, a page at a time (cursor: pageInfo.endCursor as `after`); first at most 200',
  })
  auditLog(
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    return this.audit.page(callerOf(ctx).user.orgId, filter ?? {}, first, after);
  }
}
