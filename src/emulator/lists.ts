/**
 * Stripe's list object and its filters, shared by every list endpoint:
 * `limit` (1..100, default 10), `starting_after` / `ending_before` cursors,
 * `created` ranges, and equality filters.
 */
import type Stripe from 'stripe';
import { invalidParams, resourceMissing } from './emulator-errors';

type Params = Record<string, unknown>;

/** The items whose `fields` equal the list parameters of those names (when given), created in `params.created`. */
export function select<T extends { created: number }>(items: T[], params: Params, fields: Array<keyof T & string>): T[] {
  const created = params.created as Stripe.RangeQueryParam | number | undefined;
  return items.filter((item) => fields.every((f) => params[f] === undefined || item[f] === params[f]) && inRange(item.created, created));
}

export function inRange(created: number, filter: Stripe.RangeQueryParam | number | undefined): boolean {
  if (filter === undefined) return true;
  if (typeof filter === 'number') return created === filter;
  return (
    (filter.gte === undefined || created >= filter.gte) &&
    (filter.gt === undefined || created > filter.gt) &&
    (filter.lte === undefined || created <= filter.lte) &&
    (filter.lt === undefined || created < filter.lt)
  );
}

/**
 * Stripe's list object, newest first: `limit` (1..100, default 10), and
 * `starting_after` / `ending_before` cursors. `items` are oldest first.
 */
export function list<T extends { id?: string | null }>(url: string, items: T[], params: Stripe.PaginationParams) {
  const limit = params.limit ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidParams('This value must be less than or equal to 100 and greater than or equal to 1.', { code: 'parameter_invalid_integer', param: 'limit' });
  }
  if (params.starting_after && params.ending_before) {
    throw invalidParams('You may only specify one of these parameters: ending_before, starting_after.', { param: 'ending_before' });
  }
  const ordered = [...items].reverse();
  const position = (cursor: string, param: string) => {
    const at = ordered.findIndex((x) => x.id === cursor);
    if (at < 0) throw resourceMissing('object', cursor, param);
    return at;
  };
  let data: T[];
  let hasMore: boolean;
  if (params.ending_before) {
    const end = position(params.ending_before, 'ending_before');
    const start = Math.max(0, end - limit);
    data = ordered.slice(start, end);
    hasMore = start > 0;
  } else {
    const start = params.starting_after ? position(params.starting_after, 'starting_after') + 1 : 0;
    data = ordered.slice(start, start + limit);
    hasMore = start + limit < ordered.length;
  }
  return { object: 'list', data, has_more: hasMore, url };
}
