/**
 * Retention of the audit trail. Entries are kept forever unless
 * AUDIT_RETENTION_DAYS is set; then the daily purge job removes older ones. The
 * append-only trigger refuses every DELETE but this one, which announces itself
 * for its own transaction (SET LOCAL audit.purge = 'on').
 */
import type { Clock } from '../common/clock';
import type { Database } from '../db/database';

export class AuditRetention {
  constructor(
    private readonly db: Pick<Database, 'pool'>,
    private readonly clock: Clock,
    private readonly retentionDays: number | undefined,
  ) {}

  /** Entries removed (0 when entries are kept forever). */
  async purge(): Promise<number> {
    if (this.retentionDays === undefined) return 0;
    const cutoff = new Date(this.clock.now().getTime() - this.retentionDays * 86_400_000);
    const client = await this.db.pool.connect();
    try {
      await client.query("BEGIN; SET LOCAL audit.purge = 'on'");
      const { rowCount } = await client.query('DELETE FROM audit_entries WHERE at < $1', [cutoff]);
      await client.query('COMMIT');
      return rowCount ?? 0;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
