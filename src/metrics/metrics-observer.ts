/** Payment outcomes counted from the transitions themselves, once their transaction has committed. */
import { PaymentAttemptStatus as A } from '../db';
import type { TransitionObserver } from '../lifecycle/transition-authority';
import { isPaid } from '../payments/payment-rules';
import type { Metrics } from './metrics';

export function metricsObserver(metrics: Metrics): TransitionObserver {
  return {
    async onTransition(work, transition) {
      if (transition.entity !== 'attempt') return;
      const { attempt, from, to } = transition;
      if (from === null) return;
      if (to === A.SUCCEEDED && !isPaid(from)) {
        work.committed.push(() => metrics.paymentSucceeded((work.now.getTime() - attempt.createdAt.getTime()) / 1000));
      } else if (to === A.FAILED) {
        work.committed.push(() => metrics.paymentFailed(attempt.failureCode, true));
      }
    },
  };
}
