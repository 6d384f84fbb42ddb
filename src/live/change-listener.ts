/**
 * This instance's ear on the change channel: one dedicated PostgreSQL connection
 * (not from the pool) that LISTENs, kept alive by a periodic check, and
 * reconnected with exponential backoff and jitter when it is lost (a restart, a
 * failover, pg_terminate_backend, a dead network path). Notifications sent while
 * it was away are gone for good, so every (re)connection is announced with
 * `resynced`, and the fan-out then re-reads every reservation it has
 * subscribers for: nobody keeps a stale state (the missed-notification guard).
 *
 * On the embedded database (PGlite, one session behind a local socket) a
 * notification reaches the connection whose transaction sent it, one of the
 * pool's: those are heard through Database.onNotification. The LISTEN on this
 * connection still registers that one session, and reconnection works the same.
 */
import pg from 'pg';
import type { Log } from '../common/log';
import type { Database } from '../db';
import { CHANGE_CHANNEL, decodeNotice } from './change-notice';

export interface ChangeHandler {
  /** reservations whose payment state changed (committed) */
  changed(reservationIds: string[]): void;
  /** the listener was (re)connected: anything may have changed meanwhile */
  resynced(): void;
}

export interface ChangeListenerOptions {
  /** first reconnection delay; doubled on each failure up to maxBackoffMs (each shortened by up to half, at random) */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** how often the connection is checked with SELECT 1 (a silent network loss is found this way) */
  healthCheckMs?: number;
}

/** How our listening backends show in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'bpa-live-listener';

export class ChangeListener {
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private health: NodeJS.Timeout | null = null;
  private failures = 0;
  private closed = false;
  private readonly stopPoolNotifications: () => void;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly healthCheckMs: number;
  /** times the connection was (re)established, for operators and tests */
  connections = 0;

  constructor(
    private readonly db: Database,
    private readonly handler: ChangeHandler,
    private readonly log: Log,
    options: ChangeListenerOptions = {},
  ) {
    this.initialBackoffMs = options.initialBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.healthCheckMs = options.healthCheckMs ?? 30_000;
    this.stopPoolNotifications = db.onNotification((channel, payload) => this.onNotification(channel, payload));
  }

  /** Connects and LISTENs; a failure is logged and retried in the background (start never throws). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** The backend process id of the listening connection (null while disconnected). */
  get backendPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopPoolNotifications();
    if (this.retry) clearTimeout(this.retry);
    if (this.health) clearInterval(this.health);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.db.url, application_name: LISTENER_APPLICATION_NAME, keepAlive: true });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      if (this.health) clearInterval(this.health);
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.log.warn({ err: err?.message }, 'live status: the listening database connection was lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.onNotification(message.channel, message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (this.closed || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.connections += 1;
    this.health = setInterval(() => {
      client.query('SELECT 1').catch((err: Error) => onLost(err));
    }, this.healthCheckMs);
    this.health.unref();
    if (this.connections > 1) this.log.info({ backendPid: this.backendPid }, 'live status: listening again; every subscriber is sent a fresh state');
    this.handler.resynced();
  }

  private scheduleReconnect(): void {
    if (this.retry || this.closed) return;
    const base = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** this.failures);
    this.failures += 1;
    const delay = Math.round(base * (0.5 + Math.random() / 2));
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, delay);
    this.retry.unref();
  }

  private onNotification(channel: string, payload: string | undefined): void {
    if (channel !== CHANGE_CHANNEL || this.closed) return;
    const notice = decodeNotice(payload);
    if (notice) this.handler.changed([notice.reservationId]);
    else this.log.warn({ channel }, 'live status: ignored a notification that is not ours');
  }
}
