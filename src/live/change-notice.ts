/**
 * The notice that a reservation's payment state changed, as PostgreSQL carries
 * it between instances: one NOTIFY per reservation a unit of work touched, sent
 * inside that work's transaction (UnitOfWork's before-commit hook), so
 * PostgreSQL delivers it only if and when the transaction commits. The payload
 * carries ids only: every instance reads the state itself, through the same
 * code as the paymentStatus query, and with its own caller's rights.
 */
import type { UnitOfWork, Work } from '../lifecycle/work';

/** The LISTEN/NOTIFY channel (notifications are scoped to one database). */
export const CHANGE_CHANNEL = 'payment_status_changed';

export interface ChangeNotice {
  reservationId: string;
}

export function encodeNotice(notice: ChangeNotice): string {
  return JSON.stringify({ reservationId: notice.reservationId });
}

/** null for a payload that is not ours (anyone with the database may NOTIFY on the channel). */
export function decodeNotice(payload: string | undefined): ChangeNotice | null {
  try {
    const value = JSON.parse(payload ?? '') as unknown;
    const reservationId = (value as { reservationId?: unknown } | null)?.reservationId;
    return typeof reservationId === 'string' && reservationId.length > 0 && reservationId.length <= 64 ? { reservationId } : null;
  } catch {
    return null;
  }
}

/** One NOTIFY per touched reservation, in the work's transaction (sent with its COMMIT): delivered on commit, never on rollback. */
async function notifyTouched(work: Work): Promise<void> {
  const { sql } = work.store;
  for (const reservationId of [...work.touched].sort()) {
    work.atCommit.push(`SELECT pg_notify(${sql.literal(CHANGE_CHANNEL)}, ${sql.literal(encodeNotice({ reservationId }))})`);
  }
}

/** Every unit of work (the API's, the webhooks', the jobs', the operator commands') notifies what it changed. */
export function notifyChangesOnCommit(work: UnitOfWork): void {
  work.onBeforeCommit(notifyTouched);
}
