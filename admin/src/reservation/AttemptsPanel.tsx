import { formatDateTime } from '../common/dates';
import { formatMoney } from '../common/money';
import { hrefs } from '../common/router';
import { StatusBadge } from '../common/StatusBadge';
import type { PanelProps } from './panels';

/** An attempt that has money left to refund. */
export const refundable = (attempt: { status: string; amount: number; refundedAmount: number }) =>
  (attempt.status === 'SUCCEEDED' || attempt.status === 'PARTIALLY_REFUNDED') && attempt.refundedAmount < attempt.amount;

export function AttemptsPanel({ reservationId, status }: PanelProps) {
  if (status.attempts.length === 0) return <p className="empty">No checkout has been started for this reservation.</p>;
  return (
    <div className="table-wrap">
      <table className="responsive">
        <caption className="visually-hidden">Payment attempts, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Attempt</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col" className="num">
              Refunded
            </th>
            <th scope="col">Started</th>
            <th scope="col">Failure</th>
            <th scope="col">Stripe</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {status.attempts.map((attempt) => (
            <tr key={attempt.id}>
              <td data-label="Attempt">{attempt.attempt}</td>
              <td data-label="Status">
                <StatusBadge status={attempt.status} />
                {attempt.disputed && <span className="badge badge-bad">disputed</span>}
                {attempt.status === 'PENDING' && attempt.expiresAt && <span className="muted"> until {formatDateTime(attempt.expiresAt)}</span>}
              </td>
              <td data-label="Amount" className="num">
                {formatMoney(attempt.amount, attempt.currency)}
              </td>
              <td data-label="Refunded" className="num">
                {attempt.refundedAmount ? formatMoney(attempt.refundedAmount, attempt.currency) : '—'}
              </td>
              <td data-label="Started">{formatDateTime(attempt.createdAt)}</td>
              <td data-label="Failure">
                {attempt.failureCode ? (
                  <>
                    <code>{attempt.failureCode}</code>
                    {attempt.failureMessage && <span className="muted"> {attempt.failureMessage}</span>}
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td data-label="Stripe" className="ids">
                {attempt.paymentIntentId ?? attempt.checkoutSessionId ?? '—'}
              </td>
              <td data-label="Actions">
                {refundable(attempt) && (
                  <a className="button-link" href={hrefs.refund(reservationId, attempt.id)} aria-label={`Refund attempt ${attempt.attempt}`}>
                    Refund…
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
