/** A status as text with a colour by its meaning (the text alone carries it: colour is never the only cue). */
const TONES: Record<string, 'good' | 'warn' | 'bad' | 'neutral'> = {
  SUCCEEDED: 'good',
  PAID: 'good',
  CONFIRMED: 'good',
  PARTIALLY_REFUNDED: 'warn',
  REFUNDED: 'neutral',
  PENDING: 'warn',
  UNPAID: 'neutral',
  FAILED: 'bad',
  EXPIRED: 'neutral',
  CANCELED: 'neutral',
  CANCELLED: 'neutral',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONES[status] ?? 'neutral'}`}>{status.replace(/_/g, ' ').toLowerCase()}</span>;
}
