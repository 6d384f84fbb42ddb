/**
 * The shape of a Stripe event as Stripe sends it, checked before anything is
 * recorded: a signed body outside these formats (a 304-character id, `created`
 * = 1e16) is answered 400 and written nowhere, instead of failing in the
 * database with a 500 that Stripe would redeliver for three days.
 */
// `evt_` and Stripe's id alphabet; at most 255 characters (Stripe's documented id length, our column)
const EVENT_ID = /^evt_[A-Za-z0-9_]{1,251}$/;
// dotted lower-case words: `checkout.session.completed`, `v1.billing.meter.error_report_triggered`
const EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+){1,5}$/;
const MAX_TYPE_LENGTH = 128;
// Unix seconds between 2001-09-09 and 2100-01-01: Stripe's events all lie well inside
const CREATED_MIN = 1_000_000_000;
const CREATED_MAX = 4_102_444_800;

/** Why `event` is not a Stripe event, or null when it is one. */
export function eventFormatProblem(event: unknown): string | null {
  if (!event || typeof event !== 'object') return 'body is not a Stripe event';
  const { id, type, created, data } = event as Record<string, unknown>;
  if (typeof id !== 'string' || !EVENT_ID.test(id)) return 'event id is not a Stripe event id (evt_…, at most 255 characters)';
  if (typeof type !== 'string' || type.length > MAX_TYPE_LENGTH || !EVENT_TYPE.test(type)) return 'event type is not a Stripe event type';
  if (typeof created !== 'number' || !Number.isInteger(created) || created < CREATED_MIN || created > CREATED_MAX) {
    return 'event created is not a Unix timestamp in seconds';
  }
  const object = (data as { object?: unknown } | undefined)?.object;
  if (!object || typeof object !== 'object') return 'body is not a Stripe event';
  return null;
}
