import { GraphQLScalarType } from 'graphql';
import { DateTimeISOResolver } from 'graphql-scalars';

/** `DateTime`: an ISO-8601 string (SPEC.md), parsed and serialized by graphql-scalars. */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeISOResolver.toConfig(),
  name: 'DateTime',
  description: 'An ISO-8601 date-time string in UTC, e.g. 2026-12-24T15:00:00.000Z',
});
