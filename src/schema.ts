/**
 * The GraphQL schema, code first: every resolver class of the features, built by
 * type-graphql. Resolver instances come from the application's registry, so
 * services are injected through constructors.
 */
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type ResolverData } from 'type-graphql';
import { authChecker } from './auth/auth-checker';
import { DateTimeScalar } from './common/scalars';
import type { RequestContext } from './http/request-context';
import { AuditResolver } from './audit/audit.resolver';
import { LiveStatusResolver } from './live/live-status.resolver';
import { PaymentSearchResolver } from './payments/payment-search.resolver';
import { PaymentResolver } from './payments/payment.resolver';
import { ConsistencyResolver } from './reconciliation/consistency.resolver';
import { RefundQuoteResolver } from './refunds/refund-quote.resolver';
import { RefundResolver } from './refunds/refund.resolver';
import { ReservationResolver } from './reservations/reservation.resolver';

export const RESOLVERS = [
  ReservationResolver,
  PaymentResolver,
  RefundResolver,
  ConsistencyResolver,
  LiveStatusResolver,
  // the admin console's reads (admin/)
  PaymentSearchResolver,
  RefundQuoteResolver,
  AuditResolver,
] as const;

export type ResolverRegistry = Map<Function, object>;

type TopicPubSub = NonNullable<Parameters<typeof buildSchema>[0]['pubSub']>;

/**
 * type-graphql wants a PubSub as soon as there is a subscription, even when every
 * subscription brings its own stream (`subscribe`, src/live), as ours do: topics
 * are not used here, and asking for one is a programming error.
 */
const NO_TOPICS: TopicPubSub = {
  publish() {
    throw new Error('subscriptions here bring their own streams (src/live): there are no topics to publish to');
  },
  subscribe() {
    throw new Error('subscriptions here bring their own streams (src/live): declare `subscribe`, not `topics`');
  },
};

export async function buildAppSchema(registry: ResolverRegistry = new Map()): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    authMode: 'error',
    pubSub: NO_TOPICS,
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    container: {
      get(someClass: Function, _data: ResolverData<RequestContext>) {
        const instance = registry.get(someClass);
        if (!instance) throw new Error(`No instance registered for ${someClass.name}`);
        return instance;
      },
    },
  });
}

export const SCHEMA_HEADER =
  '# The GraphQL contract of the booking payment API, emitted from the code by\n' +
  '# `npm run schema:emit`. Do not edit: CI fails when it differs from the code.\n\n';

/** The committed schema.graphql text: sorted, so that it diffs well. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}
