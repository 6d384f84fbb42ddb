import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Clock } from '../common/clock';
import { badInput } from '../errors';
import { causeOf } from '../auth/caller';
import { type RequestContext, callerOf } from '../http/request-context';
import { ConsistencyService } from './consistency.service';
import { ConsistencyReport } from './consistency.type';

const DAY_MS = 86_400_000;
/** One report reads every payment of the window from Stripe: keep it to what an operator can wait for. */
const MAX_WINDOW_DAYS = 31;

@Resolver()
export class ConsistencyResolver {
  constructor(
    private readonly consistency: ConsistencyService,
    private readonly clock: Clock,
  ) {}

  @Authorized('ADMIN')
  @Query(() => ConsistencyReport, {
    description: `ADMIN: compare our payments touched between from (default: a day ago) and to (default: now) with Stripe (at most ${MAX_WINDOW_DAYS} days). Reports only; the background reconciliation repairs`,
  })
  async consistencyReport(
    @Ctx() ctx: RequestContext,
    @Arg('from', () => Date, { nullable: true }) from?: Date | null,
    @Arg('to', () => Date, { nullable: true }) to?: Date | null,
  ): Promise<ConsistencyReport> {
    const end = to ?? this.clock.now();
    const start = from ?? new Date(end.getTime() - DAY_MS);
    if (start > end) throw badInput('from', 'must be before to');
    if (end.getTime() - start.getTime() > MAX_WINDOW_DAYS * DAY_MS) throw badInput('from', `the window may span at most ${MAX_WINDOW_DAYS} days`);
    const report = await this.consistency.check(
      { from: start, to: end, limit: 1000, orgId: callerOf(ctx).user.orgId },
      { repair: false, cause: causeOf(callerOf(ctx)), log: ctx.log },
    );
    return {
      from: report.from,
      to: report.to,
      checkedPayments: report.checkedPayments,
      differences: report.differences.map(({ repair, ...d }) => ({ ...d, repairable: repair.length > 0 })),
      uncheckedPaymentIds: report.unchecked.map((u) => u.paymentId),
    };
  }
}
