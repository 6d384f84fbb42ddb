/**
 * The audit trail's writer: every unit of work's entries (the moves the
 * transition authority tells of, plus what services add to `work.audit`) are
 * inserted in that work's transaction, in one statement just before its
 * commit, so a change without its entry, or an entry without its change,
 * cannot exist. Who acted comes from the work's cause; the organization of an
 * entry is its reservation's, read from our own row in the same statement
 * (never from Stripe's metadata, never from the caller alone).
 *
 * Ids are UUIDv7 (time-ordered, monotonic within a process): with `at`, they
 * order the entries of one work as they were made, and give auditLog's cursor
 * a stable tiebreak.
 */
import { v7 as uuidv7 } from 'uuid';
import { DEFAULT_ORG } from '../auth/user';
import { statement } from '../db/sql';
import type { TransitionAuthority } from '../lifecycle/transition-authority';
import type { UnitOfWork, Work } from '../lifecycle/work';
import { auditOfTransition } from './audit-actions';

const INSERT_ENTRIES = statement(
  'insert-audit-entries',
  `INSERT INTO audit_entries (id, at, org_id, actor_id, actor_role, source, action, target_type, target_id, reservation_id, payment_id,
     before, after, amount, request_id, ip, user_agent, stripe_event_id)
   SELECT e.id, $1, COALESCE(r.org_id, $2), $3, $4, $5::"AuditSource", e.action, e.target_type, e.target_id, e.reservation_id, e.payment_id,
     e.before, e.after, e.amount, $6, $7, $8, $9
   FROM unnest($10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[], $15::uuid[], $16::text[], $17::text[], $18::int[])
     WITH ORDINALITY AS e(id, action, target_type, target_id, reservation_id, payment_id, before, after, amount, n)
   LEFT JOIN reservations r ON r.id = e.reservation_id
   ORDER BY e.n`,
);

/** Fits a free-text value (a user agent) to its column. */
const clip = (value: string | undefined, max: number) => (value === undefined ? null : value.slice(0, max));

export class AuditTrail {
  /** Records every move of the authority, and writes each work's entries before its commit. */
  install(units: UnitOfWork, authority: TransitionAuthority): void {
    authority.observe({
      async onTransition(work, transition) {
        const entry = auditOfTransition(transition);
        if (entry) work.audit.push(entry);
      },
    });
    units.onBeforeCommit((work) => this.write(work));
  }

  private async write(work: Work): Promise<void> {
    const { cause } = work;
    if (cause.purpose === 'repair') {
      for (const reservationId of work.touched) {
        work.audit.push({ action: 'reconciliation.repair', targetType: 'reservation', targetId: reservationId, reservationId });
      }
    }
    if (!work.audit.length) return;
    const entries = work.audit.splice(0);
    await work.store.sql.run(INSERT_ENTRIES, [
      work.now,
      // an entry with no reservation (none today) belongs to the actor's organization
      cause.orgId ?? DEFAULT_ORG,
      cause.actorId,
      cause.actorRole,
      cause.source,
      cause.requestId ?? null,
      clip(cause.ip, 64),
      clip(cause.userAgent, 512),
      cause.stripeEventId ?? null,
      entries.map(() => uuidv7()),
      entries.map((e) => e.action),
      entries.map((e) => e.targetType),
      entries.map((e) => e.targetId),
      entries.map((e) => e.reservationId ?? null),
      entries.map((e) => e.paymentId ?? null),
      entries.map((e) => e.before ?? null),
      entries.map((e) => e.after ?? null),
      entries.map((e) => e.amount ?? null),
    ]);
  }
}
