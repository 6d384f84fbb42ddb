/**
 * GraphQL operations counted by root field and outcome, and timed. The root
 * fields come from the schema (bounded); a request that never became an
 * operation (unparsable, invalid) is `invalid`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Clock } from '../common/clock';
import type { Metrics } from './metrics';

export function graphqlMetricsPlugin<TContext extends object>(metrics: Metrics, clock: Clock): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = clock.now().getTime();
      return {
        async willSendResponse({ operation, response, errors }) {
          const fields = operation?.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? [s.name.value] : [])) ?? [];
          const name = fields.length ? [...new Set(fields)].sort().slice(0, 3).join('+') : 'invalid';
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const code = errors?.[0]?.extensions?.code ?? single?.errors?.[0]?.extensions?.code;
          metrics.graphqlOperation(name, typeof code === 'string' ? code : 'ok', (clock.now().getTime() - started) / 1000);
        },
      };
    },
  };
}
