import { formatDateTime } from '../common/dates';
import { formatMoney } from '../common/money';
import { StatusBadge } from '../common/StatusBadge';
import type { PanelProps } from './panels';

export function SummaryPanel({ status }: PanelProps) {
  const { reservation } = status;
  const currency = reservation.currency;
  return (
    <div className="summary">
      <dl>
        <dt>Guest</dt>
        <dd>{reservation.guestId}</dd>
        <dt>Description</dt>
        <dd>{reservation.description}</dd>
        <dt>Stay</dt>
        <dd>
          {formatDateTime(reservation.checkIn)} → {formatDateTime(reservation.checkOut)}
        </dd>
        <dt>Reservation</dt>
        <dd>
          <StatusBadge status={reservation.status} /> {formatMoney(reservation.amount, currency)}
          {reservation.status === 'PENDING' && <span className="muted"> · hold until {formatDateTime(reservation.holdExpiresAt)}</span>}
        </dd>
      </dl>
      <dl>
        <dt>Payment</dt>
        <dd>
          <StatusBadge status={status.state} />
        </dd>
        <dt>Paid</dt>
        <dd data-testid="amount-paid">{formatMoney(status.amountPaid, currency)}</dd>
        <dt>Refunded</dt>
        <dd data-testid="amount-refunded">{formatMoney(status.amountRefunded, currency)}</dd>
        <dt>Attempts</dt>
        <dd>
          {status.attemptCount} made, {status.attemptsRemaining} remaining{status.canRetry ? ' · the guest may retry now' : ''}
        </dd>
      </dl>
    </div>
  );
}
