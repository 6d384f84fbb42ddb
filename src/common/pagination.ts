/**
 * Cursor pagination, the shape SPEC gives the audit log (`PageInfo`, edges with a
 * cursor): lists that grow while someone pages through them are read by keyset
 * (the position of the last row seen), never by offset, so a row inserted
 * meanwhile neither repeats nor hides another.
 *
 * A cursor is opaque to clients: base64url of the sort key of the last row of a
 * page (here a timestamp and an id). A cursor that does not decode is
 * BAD_USER_INPUT naming the argument.
 */
import { Field, ObjectType } from 'type-graphql';
import { badInput } from '../errors';

@ObjectType({ description: 'Where a page of a cursor-paginated list ends' })
export class PageInfo {
  @Field({ description: 'true when more items follow this page' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'pass as `after` to get the next page; null on an empty page' })
  endCursor!: string | null;
}

/** The sort key of a row in lists ordered newest first: its creation time, then its id. */
export interface TimeKey {
  createdAt: Date;
  id: string;
}

export function encodeTimeCursor(key: TimeKey): string {
  return Buffer.from(JSON.stringify([key.createdAt.toISOString(), key.id]), 'utf8').toString('base64url');
}

/** `idPattern`: what an id of this list looks like (a cursor's id goes into SQL as a typed value). */
export function decodeTimeCursor(cursor: string, idPattern: RegExp, field = 'after'): TimeKey {
  const invalid = () => badInput(field, 'is not a cursor from this list (use pageInfo.endCursor)');
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') throw invalid();
  const createdAt = new Date(parsed[0]);
  if (Number.isNaN(createdAt.getTime()) || !idPattern.test(parsed[1])) throw invalid();
  return { createdAt, id: parsed[1] };
}

/** The page of `first` rows out of `first + 1` fetched (the extra one only says whether more follow). */
export function pageOf<T extends TimeKey>(rows: T[], first: number): { nodes: T[]; pageInfo: PageInfo } {
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeTimeCursor(last) : null } };
}
