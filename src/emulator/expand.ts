/**
 * Stripe's `expand[]`: an id in a field becomes the object it names, along a
 * dotted path of up to four levels (`payment_intent.latest_charge`); in a list,
 * paths start with `data.`. Some fields are "includable": not in the object
 * unless expanded (a session's `line_items`, a charge's `refunds`).
 */
import { invalidParams } from './emulator-errors';

/** A copy as it travels on the wire (the SDK's Decimal values become their decimal strings). */
const wireCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export interface ExpandSource {
  /** the stored object an id names, if the emulator has it */
  byId(id: string): object | undefined;
  /** includable fields: the value for `field` of `object`, or undefined when it has none */
  include(object: Record<string, unknown>, field: string): unknown;
}

const MAX_DEPTH = 4;

export function parseExpand(expand: string[] | undefined): string[][] {
  const paths = (expand ?? []).map((p) => p.split('.'));
  for (const path of paths) {
    if (path.length > MAX_DEPTH) {
      throw invalidParams(`You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path.join('.')}`, { param: 'expand' });
    }
  }
  return paths;
}

/** Returns a copy of `value` with every path expanded (the stored objects are never changed). */
export function expand(value: unknown, paths: string[][], source: ExpandSource): unknown {
  let out = wireCopy(value);
  for (const path of paths) out = expandPath(out, path, source, path.join('.'));
  return out;
}

function expandPath(value: unknown, path: string[], source: ExpandSource, whole: string): unknown {
  if (!path.length || value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const [field, ...rest] = path;
  if (object.object === 'list' && field === 'data' && Array.isArray(object.data)) {
    return { ...object, data: object.data.map((item) => expandPath(item, rest, source, whole)) };
  }
  let current = object[field];
  if (current === undefined) {
    const included = source.include(object, field);
    if (included === undefined) throw invalidParams(`This property cannot be expanded (${whole}).`, { param: 'expand' });
    current = included;
  } else if (typeof current === 'string') {
    const found = source.byId(current);
    if (!found) throw invalidParams(`This property cannot be expanded (${whole}).`, { param: 'expand' });
    current = wireCopy(found);
  }
  return { ...object, [field]: expandPath(current, rest, source, whole) };
}
