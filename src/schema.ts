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
import { PaymentResolver } from './payments/payment.resolver';
import { ConsistencyResolver } from './reconciliation/consistency.resolver';
import { RefundResolver } from './refunds/refund.resolver';
import { ReservationResolver } from './reservations/reservation.resolver';

export const RESOLVERS = [ReservationResolver, PaymentResolver, RefundResolver, ConsistencyResolver] as const;

export type ResolverRegistry = Map<Function, object>;

export async function buildAppSchema(registry: ResolverRegistry = new Map()): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    authMode: 'error',
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
