/**
 * The cost model of GraphQL operations, for GRAPHQL_MAX_COST (see
 * src/http/graphql-limits.ts). Root fields declare what they cost with
 * type-graphql's `complexity` option, in these units, next to their resolver;
 * everything else costs by shape: a scalar is free (it comes with its row), an
 * object or list field costs 1 (a batched load) plus what is selected inside it.
 */
import type { ComplexityEstimatorArgs } from 'graphql-query-complexity';

export const COST = {
  /** one or two SQL statements */
  read: 10,
  /** a write in one transaction */
  write: 20,
  /** a call to Stripe, with its writes */
  stripe: 50,
} as const;

/** A page of `first` rows: each row costs what is selected in it, and at least 1. */
export const pageCost =
  (perRequest: number) =>
  ({ args, childComplexity }: Pick<ComplexityEstimatorArgs, 'args' | 'childComplexity'>): number =>
    perRequest + Math.max(0, Number(args.first) || 0) * Math.max(1, childComplexity);
