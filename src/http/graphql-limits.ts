/**
 * Limits on the work one GraphQL request may ask for, all checked before any
 * resolver runs and refused with QUERY_TOO_COMPLEX (HTTP 400):
 *  - tokens: graphql-js stops parsing past GRAPHQL_MAX_TOKENS (Apollo's parseOptions);
 *  - depth, aliases, directives: GraphQL Armor's validation rules;
 *  - cost: graphql-query-complexity over the per-field costs that resolvers
 *    declare with type-graphql's `complexity` option (src/http/query-cost.ts),
 *    computed with the request's variables once the operation is known.
 * Field suggestions ("Did you mean …?") are masked by Armor where they are off
 * (production), since they would spell out the schema that introspection hides.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  getNamedType,
  isLeafType,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { GraphQLLimits } from '../config';
import { queryTooComplex } from '../errors';

/** Objects and lists cost 1 plus their selection; scalars are free. */
const shapeEstimator: ComplexityEstimator = ({ field, childComplexity }) =>
  isLeafType(getNamedType(field.type)) ? 0 : 1 + childComplexity;

export function queryCost(schema: GraphQLSchema, document: Parameters<typeof getComplexity>[0]['query'], variables?: Record<string, unknown>, operationName?: string) {
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [fieldExtensionsEstimator(), shapeEstimator],
  });
}

/**
 * A document's cost, remembered: Apollo hands over the same parsed document for
 * the same query text, so the walk over the document is done once per document
 * and per value of the variables a cost can depend on. Costs depend on numeric
 * arguments only (page sizes: src/http/query-cost.ts), so ids and strings in the
 * variables do not split the cache.
 */
class CostCache {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, number>>();

  cost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): number {
    const numeric = variables ? Object.entries(variables).filter(([, v]) => typeof v === 'number') : [];
    const key = `${operationName ?? ''}\u0000${numeric.length ? JSON.stringify(numeric) : ''}`;
    let costs = this.byDocument.get(document);
    const known = costs?.get(key);
    if (known !== undefined) return known;
    const cost = queryCost(schema, document, variables, operationName);
    if (!costs) this.byDocument.set(document, (costs = new Map()));
    if (costs.size >= 256) costs.clear(); // a page size that changes every time: keep the map small
    costs.set(key, cost);
    return cost;
  }
}

function costLimitPlugin<TContext extends object>(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin<TContext> {
  const cache = new CostCache();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operationName }) {
          let cost: number;
          try {
            cost = cache.cost(schema, document, request.variables ?? undefined, operationName ?? undefined);
          } catch {
            // variables that do not fit their types: graphql-js refuses them with BAD_USER_INPUT before any resolver
            return;
          }
          if (cost > maxCost) throw queryTooComplex(`The query costs ${cost}, more than the allowed ${maxCost}`);
        },
      };
    },
  };
}

export interface GraphQLLimitSetup<TContext extends object> {
  plugins: ApolloServerPlugin<TContext>[];
  validationRules: ValidationRule[];
  parseOptions: { maxTokens: number };
  /**
   * The same limits for an operation that does not go through Apollo (subscriptions
   * over the WebSocket): validation with the limit rules, suggestions masked where
   * they are off, then the cost. Empty when the operation may run.
   */
  check(document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): readonly GraphQLError[];
}

// what Armor's blockFieldSuggestion masks in Apollo's validation errors
const SUGGESTION = /Did you mean ".+"\?/g;

export function graphqlLimits<TContext extends object>(
  schema: GraphQLSchema,
  limits: GraphQLLimits,
  options: { fieldSuggestions: boolean },
): GraphQLLimitSetup<TContext> {
  // Armor reports through these instead of its own BAD_USER_INPUT: one code for every limit
  const refuse = {
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(queryTooComplex(error.message))],
  };
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...refuse },
    maxAliases: { n: limits.maxAliases, allowList: [], ...refuse },
    maxDirectives: { n: limits.maxDirectives, ...refuse },
    // graphql-js counts tokens itself while parsing (parseOptions below): no second parse
    maxTokens: { enabled: false },
    // ours is per field (costLimitPlugin); Armor's prices every field alike
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !options.fieldSuggestions, mask: '' },
  }).protect();
  const validationRules = armor.validationRules as ValidationRule[];
  return {
    plugins: [...(armor.plugins as ApolloServerPlugin<TContext>[]), costLimitPlugin<TContext>(schema, limits.maxCost)],
    validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    check(document, variables, operationName) {
      const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
      if (errors.length) {
        if (!options.fieldSuggestions) for (const error of errors) error.message = error.message.replace(SUGGESTION, '').trim();
        return errors;
      }
      let cost: number;
      try {
        cost = queryCost(schema, document, variables, operationName);
      } catch {
        return []; // variables that do not fit their types: graphql-js refuses them with BAD_USER_INPUT
      }
      return cost > limits.maxCost ? [queryTooComplex(`The query costs ${cost}, more than the allowed ${limits.maxCost}`)] : [];
    },
  };
}
