/**
 * An async iterator that holds at most one undelivered value: a newer value
 * replaces one the consumer has not taken yet. Right for states (only the latest
 * matters, and a slow socket never builds a queue), wrong for events.
 */
export class LatestValueStream<T> implements AsyncIterableIterator<T> {
  private pending: { value: T } | null = null;
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private ended = false;

  constructor(private readonly onEnd: () => void = () => undefined) {}

  /** Delivers `value`, replacing one not yet taken. */
  push(value: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
    } else {
      this.pending = { value };
    }
  }

  /** Delivers `value` only if nothing is waiting to be taken (a pending value is newer). */
  offer(value: T): void {
    if (!this.pending) this.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.pending) {
      const { value } = this.pending;
      this.pending = null;
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** The consumer is done (a client's `complete`, a closed socket): stop and unregister. */
  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the stream from the producer's side. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pending = null;
    this.onEnd();
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
