/**
 * Fan-out of change notices to this instance's subscribers. Notices that arrive
 * together (one I/O turn) are flushed together with one fresh loader set: each
 * subscriber's event carries it, and every subscriber then reads the state
 * through the same service call as the paymentStatus query, so N subscribers of
 * one reservation cost one SQL statement (the loaders batch and cache), and
 * each still gets only what its own rights allow.
 *
 * A subscriber's stream keeps only its latest undelivered event: a slow socket
 * is sent the newest state when it catches up, never a backlog.
 */
import type { Loaders } from '../db';
import type { ChangeHandler } from './change-listener';
import { LatestValueStream } from './latest-value-stream';

/** What a subscriber is told: this reservation changed; read it with these loaders. */
export interface ChangeEvent {
  reservationId: string;
  loaders: Loaders;
}

export class StatusFanOut implements ChangeHandler {
  private readonly subscribers = new Map<string, Set<LatestValueStream<ChangeEvent>>>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private closed = false;

  constructor(private readonly newLoaders: () => Loaders) {}

  /** A stream of change events for one reservation; ending it (`return()`) unsubscribes. */
  subscribe(reservationId: string): LatestValueStream<ChangeEvent> {
    const stream: LatestValueStream<ChangeEvent> = new LatestValueStream(() => {
      const set = this.subscribers.get(reservationId);
      set?.delete(stream);
      if (set && set.size === 0) this.subscribers.delete(reservationId);
    });
    if (this.closed) {
      stream.end();
      return stream;
    }
    let set = this.subscribers.get(reservationId);
    if (!set) this.subscribers.set(reservationId, (set = new Set()));
    set.add(stream);
    return stream;
  }

  /** An event for one reservation with its own loader set (a subscriber's first state). */
  eventFor(reservationId: string): ChangeEvent {
    return { reservationId, loaders: this.newLoaders() };
  }

  changed(reservationIds: string[]): void {
    for (const id of reservationIds) if (this.subscribers.has(id)) this.dirty.add(id);
    this.scheduleFlush();
  }

  /** The listener reconnected: notices may have been lost, so every subscriber reads again. */
  resynced(): void {
    for (const id of this.subscribers.keys()) this.dirty.add(id);
    this.scheduleFlush();
  }

  get subscriberCount(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  /** Ends every stream (the server is shutting down). */
  close(): void {
    this.closed = true;
    for (const set of [...this.subscribers.values()]) for (const stream of [...set]) stream.end();
    this.subscribers.clear();
    this.dirty.clear();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.dirty.size === 0) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.dirty.size === 0) return;
    const loaders = this.newLoaders();
    for (const reservationId of this.dirty) {
      const event: ChangeEvent = { reservationId, loaders };
      for (const stream of this.subscribers.get(reservationId) ?? []) stream.push(event);
    }
    this.dirty.clear();
  }
}
