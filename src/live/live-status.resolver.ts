/**
 * The subscriptions. `subscribe` admits the subscriber and returns its stream
 * (src/live/live-status.ts); the method below each runs once per event, on the
 * event's loaders, and is the same read as the one-off query.
 */
import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { COST } from '../http/query-cost';
import { callerOf } from '../http/request-context';
import { PaymentStatus } from '../payments/payment.type';
import type { LiveContext } from './live-context';
import type { LiveStatus } from './live-status';
import { PaymentResultPage, PaymentResultView } from './payment-result-view.type';
import type { ChangeEvent } from './status-fan-out';

interface SubscribeData<TArgs> {
  args: TArgs;
  context: LiveContext;
}

@Resolver()
export class LiveStatusResolver {
  constructor(private readonly live: LiveStatus) {}

  @Subscription(() => PaymentStatus, {
    complexity: COST.read,
    description:
      "Where a reservation's payment stands, now and at every change, from any instance (graphql-ws on /graphql; token in connectionParams.authorization): owner or admin",
    subscribe: ({ args, context }: SubscribeData<{ reservationId: string }>) => context.live.paymentStatus(args.reservationId, callerOf(context)),
  })
  paymentStatusChanged(
    @Root() event: ChangeEvent,
    @Arg('reservationId', () => ID) _reservationId: string,
    @Ctx() ctx: LiveContext,
  ): Promise<PaymentStatus> {
    // the field resolvers below (Payment.refunds, …) read the loaders this event primed
    ctx.loaders = event.loaders;
    return this.live.status(event, callerOf(ctx));
  }

  @Subscription(() => PaymentResultView, {
    complexity: COST.read,
    description:
      "The built-in payment result pages' live view (served while PUBLIC_URL is unset): opened by the page's capability in connectionParams.pageAccess, not by a token",
    subscribe: ({ args, context }: SubscribeData<{ reservationId: string; page: PaymentResultPage }>) =>
      context.live.paymentResult(args.reservationId, args.page, context.pageAccess),
  })
  paymentResultChanged(
    @Root() event: ChangeEvent,
    @Arg('reservationId', () => ID) _reservationId: string,
    @Arg('page', () => PaymentResultPage, { defaultValue: PaymentResultPage.SUCCESS }) page: PaymentResultPage,
  ): Promise<PaymentResultView> {
    return this.live.resultView(event, page);
  }
}
