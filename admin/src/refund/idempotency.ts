/**
 * One idempotency key per refund the person means to make: the same key for
 * every send of the same request (a double click, "Confirm" again after an
 * answer was lost), so the service and Stripe refund once; a new key once the
 * request changes or a refund was made. getRandomValues works on plain http
 * too (randomUUID needs a secure context).
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class RefundKeys {
  private current: { request: string; key: string } | null = null;

  /** The key for this request: the previous one if nothing changed since, else a new one. */
  keyFor(request: { paymentId: string; amount: number | null; reason: string | null }): string {
    const text = JSON.stringify([request.paymentId, request.amount, request.reason]);
    if (this.current?.request !== text) this.current = { request: text, key: newIdempotencyKey() };
    return this.current.key;
  }

  /** A refund was made with the current key: the next request is another refund. */
  used(): void {
    this.current = null;
  }
}
