/**
 * A unit of work: one database transaction in which state moves, who or what
 * caused it, the instant it happens at, and the Stripe calls it implies. Stripe
 * is never called inside the transaction (a lock would be held across the
 * network): the moves only name their follow-ups (a session to expire, a refund
 * to send), which run once the transaction has committed. Each follow-up is
 * backed by state that a background job also finds, so a crash between the
 * commit and the call delays it and loses nothing.
 */
import type { Clock } from '../common/clock';
import type { Log } from '../common/log';
import type { Database } from '../db/database';
import { TxStore } from '../db/store';

/** Who or what asked for a change (the logs and the audit trail). */
export interface Cause {
  source: 'API' | 'WEBHOOK' | 'JOB';
  /** the user id, `stripe` for webhooks, `system` for jobs */
  actorId: string;
  actorRole: string;
  requestId?: string;
  stripeEventId?: string;
  /** API calls: the caller's organization (token `org`) */
  orgId?: string;
  /** API calls: the client's address and user agent */
  ip?: string;
  userAgent?: string;
  /** why a job changes state, when it is more than its name: a reconciliation repair */
  purpose?: 'repair';
}

/**
 * An audit entry of this work (src/audit): what happened to which object. Who
 * did it and when come from the work's cause and instant; the entries are
 * written in the work's transaction, just before its commit.
 */
export interface AuditDraft {
  action: string;
  targetType: 'reservation' | 'payment' | 'refund' | 'dispute' | 'payment_link' | 'notification';
  targetId: string;
  reservationId?: string | null;
  paymentId?: string | null;
  before?: string | null;
  after?: string | null;
  /** money that moved (or was asked to), in cents */
  amount?: number | null;
}

export const systemCause = (job: string): Cause => ({ source: 'JOB', actorId: 'system', actorRole: 'SYSTEM', requestId: job });

export type FollowUp =
  /** expire an open Checkout Session at Stripe (a retry replaced it, the hold lapsed, another attempt paid) */
  | { kind: 'expire-session'; sessionId: string }
  /** send a claimed refund to Stripe with its idempotency key */
  | { kind: 'submit-refund'; refundId: string };

export interface Work {
  /** the statements of this transaction (src/db/store.ts) */
  store: TxStore;
  now: Date;
  cause: Cause;
  followUps: FollowUp[];
  /** reservations whose payment state this work changed (moves, and facts recorded without a move) */
  touched: Set<string>;
  /**
   * Statements sent with the COMMIT, in the same round trip: writes whose
   * result nothing reads (marking an event processed, NOTIFY). They take no
   * parameters: values go in through `store.sql.literal`.
   */
  atCommit: string[];
  /** run once the transaction has committed (never after a rollback): counting what happened */
  committed: Array<() => void>;
  /** audit entries, written before the commit (src/audit/audit-trail.ts) */
  audit: AuditDraft[];
}

/** Runs inside the transaction, after its work and before the commit (e.g. NOTIFY, which PostgreSQL sends on commit only). */
export type BeforeCommit = (work: Work) => Promise<void>;

/** Runs the follow-ups of committed work; failures are logged, the jobs catch up. */
export type FollowUpRunner = (followUps: FollowUp[], cause: Cause, log: Log) => Promise<void>;

export class UnitOfWork {
  private runFollowUps: FollowUpRunner = async () => undefined;
  private readonly beforeCommit: BeforeCommit[] = [];

  constructor(
    private readonly db: Pick<Database, 'pool' | 'sqlOn'>,
    private readonly clock: Clock,
    /** how long a statement may wait for a row lock before the work fails (and is retried by its caller) */
    private readonly lockTimeoutMs = 10_000,
  ) {}

  /** Set once at composition: the follow-ups need services that themselves use units of work. */
  setFollowUpRunner(runner: FollowUpRunner): void {
    this.runFollowUps = runner;
  }

  /** Adds a hook run at the end of every unit of work, inside its transaction. */
  onBeforeCommit(hook: BeforeCommit): void {
    this.beforeCommit.push(hook);
  }

  /** Runs `fn` in a transaction; after the commit, its follow-ups. Returns what `fn` returned. */
  /**
   * `durable: false`: work safe to redo after a crash commits without waiting for
   * the WAL flush. `rollback: true` (operators' dry runs): everything is done and
   * then rolled back, with no follow-ups; `fn` sees what would have happened.
   */
  async run<T>(cause: Cause, log: Log, fn: (work: Work) => Promise<T>, options: { durable?: boolean; rollback?: boolean } = {}): Promise<T> {
    const followUps: FollowUp[] = [];
    const client = await this.db.pool.connect();
    let result: T;
    let healthy = false;
    try {
      // one round trip: the transaction, and how long it may wait on a lock
      // `durable: false` (work that is safe to redo after a crash) commits without waiting for the WAL flush
      await client.query(
        `BEGIN; SET LOCAL lock_timeout = ${Math.floor(this.lockTimeoutMs)}${options.durable === false ? '; SET LOCAL synchronous_commit = off' : ''}`,
      );
      healthy = true;
      try {
        const work: Work = { store: new TxStore(this.db.sqlOn(client)), now: this.clock.now(), cause, followUps, touched: new Set(), atCommit: [], committed: [], audit: [] };
        result = await fn(work);
        for (const hook of this.beforeCommit) await hook(work);
        if (options.rollback) {
          await client.query('ROLLBACK');
          return result;
        }
        await work.store.sql.raw([...work.atCommit, 'COMMIT'].join(';\n'));
        for (const counted of work.committed) {
          try {
            counted();
          } catch {
            // counting never fails the work
          }
        }
      } catch (err) {
        // a connection that cannot even roll back is not given back to the pool
        await client.query('ROLLBACK').catch(() => (healthy = false));
        throw err;
      }
    } finally {
      client.release(!healthy);
    }
    if (followUps.length) await this.runFollowUps(followUps, cause, log);
    return result;
  }
}
