import { formatDateTime } from '../common/dates';
import { formatMoney } from '../common/money';
import { StatusBadge } from '../common/StatusBadge';
import type { PanelProps } from './panels';

const POLICIES: Record<string, string> = {
  FULL: 'policy: full',
  HALF: 'policy: half',
  ADMIN: 'explicit amount',
  EXTERNAL: 'made at Stripe',
  HOLD_LAPSED: 'paid after the hold lapsed',
  DUPLICATE: 'duplicate payment',
};

export function RefundsPanel({ status }: PanelProps) {
  const attemptOf = new Map(status.attempts.map((a) => [a.id, a.attempt]));
  if (status.refunds.length === 0) return <p className="empty">No refunds.</p>;
  return (
    <div className="table-wrap">
      <table className="responsive" data-testid="refunds">
        <caption className="visually-hidden">Refunds, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Requested</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col">Status</th>
            <th scope="col">Attempt</th>
            <th scope="col">Why</th>
            <th scope="col">Stripe refund</th>
          </tr>
        </thead>
        <tbody>
          {status.refunds.map((refund) => (
            <tr key={refund.id}>
              <td data-label="Requested">{formatDateTime(refund.createdAt)}</td>
              <td data-label="Amount" className="num">
                {formatMoney(refund.amount, refund.currency)}
              </td>
              <td data-label="Status">
                <StatusBadge status={refund.status} />
              </td>
              <td data-label="Attempt">{attemptOf.get(refund.paymentId) ?? '—'}</td>
              <td data-label="Why">
                {refund.policy ? (POLICIES[refund.policy] ?? refund.policy) : '—'}
                {refund.reason && <span className="muted"> “{refund.reason}”</span>}
              </td>
              <td data-label="Stripe refund" className="ids">
                {refund.stripeRefundId ?? 'not confirmed yet'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
