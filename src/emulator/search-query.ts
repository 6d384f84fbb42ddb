/**
 * Stripe's search query language (docs.stripe.com/search#search-query-language),
 * compiled to a predicate. A query is clauses `field operator value`, joined by
 * spaces or `AND`, or by `OR` (never both); `-` negates a clause. Operators:
 * `:` exact (case-insensitive for text fields), `~` substring (fields that allow
 * it, at least 3 characters), and `>`, `<`, `>=`, `<=` for numeric fields.
 * Text values are quoted ('…' or "…"), numbers are not; `metadata['key']` (or
 * `metadata["key"]`) matches one metadata value, and `null` matches its absence.
 */
import { invalidParams } from './emulator-errors';

export type SearchField = { kind: 'text'; substring: boolean } | { kind: 'number' } | { kind: 'metadata' };

type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';
interface Clause {
  negated: boolean;
  field: string;
  /** for metadata clauses */
  key?: string;
  operator: Operator;
  value: string | number | null;
}

const MAX_CLAUSES = 10;

const queryError = (message: string) => invalidParams(message, { param: 'query' });

function tokenize(query: string): { clauses: Clause[]; joiner: 'AND' | 'OR' } {
  const clauses: Clause[] = [];
  const joiners = new Set<'AND' | 'OR'>();
  let i = 0;
  const skipSpaces = () => {
    while (i < query.length && /\s/.test(query[i])) i += 1;
  };
  const quoted = (): string => {
    const quote = query[i];
    let out = '';
    i += 1;
    while (i < query.length && query[i] !== quote) {
      if (query[i] === '\\' && i + 1 < query.length) i += 1;
      out += query[i];
      i += 1;
    }
    if (query[i] !== quote) throw queryError(`Invalid search query: unterminated string starting at position ${i - out.length - 1}.`);
    i += 1;
    return out;
  };
  skipSpaces();
  while (i < query.length) {
    if (clauses.length) {
      const word = /^(AND|OR)\s+/i.exec(query.slice(i));
      if (word) {
        joiners.add(word[1].toUpperCase() as 'AND' | 'OR');
        i += word[0].length;
      } else joiners.add('AND');
    }
    const negated = query[i] === '-';
    if (negated) i += 1;
    const name = /^[a-z_][a-z0-9_.]*/i.exec(query.slice(i));
    if (!name) throw queryError(`Invalid search query: expected a field at position ${i}.`);
    i += name[0].length;
    let key: string | undefined;
    if (query[i] === '[') {
      i += 1;
      if (query[i] !== "'" && query[i] !== '"') throw queryError(`Invalid search query: the key of ${name[0]}[…] must be quoted.`);
      key = quoted();
      if (query[i] !== ']') throw queryError(`Invalid search query: expected ] after ${name[0]}['${key}'.`);
      i += 1;
    }
    const operator = /^(>=|<=|:|~|>|<)/.exec(query.slice(i))?.[1] as Operator | undefined;
    if (!operator) throw queryError(`Invalid search query: expected an operator (:, ~, >, <, >=, <=) after ${name[0]}.`);
    i += operator.length;
    let value: string | number | null;
    if (query[i] === "'" || query[i] === '"') value = quoted();
    else {
      const bare = /^[^\s]+/.exec(query.slice(i))?.[0] ?? '';
      i += bare.length;
      if (bare === 'null') value = null;
      else if (/^-?\d+(\.\d+)?$/.test(bare)) value = Number(bare);
      else throw queryError(`Invalid search query: the value of ${name[0]} must be a quoted string, a number or null (got ${bare || 'nothing'}).`);
    }
    clauses.push({ negated, field: name[0], ...(key !== undefined ? { key } : {}), operator, value });
    skipSpaces();
  }
  if (!clauses.length) throw queryError('Invalid search query: the query is empty.');
  if (clauses.length > MAX_CLAUSES) throw queryError(`Invalid search query: a query may have at most ${MAX_CLAUSES} clauses.`);
  if (joiners.size > 1) throw queryError('Invalid search query: AND and OR cannot be combined in one query.');
  return { clauses, joiner: joiners.has('OR') ? 'OR' : 'AND' };
}

/**
 * Compiles `query` for a resource whose searchable fields are `fields`; `read`
 * gives an object's value of a field (its metadata for metadata clauses).
 */
export function compileSearch<T>(
  resource: string,
  query: string,
  fields: Record<string, SearchField>,
  read: (item: T, field: string) => unknown,
): (item: T) => boolean {
  const { clauses, joiner } = tokenize(query);
  const tests = clauses.map((clause) => {
    const field = fields[clause.field];
    if (!field) {
      throw queryError(
        `Field '${clause.field}' is an unsupported search field for resource ${resource}. See https://docs.stripe.com/search#query-fields-for-${resource} for a list of supported fields.`,
      );
    }
    if (field.kind === 'metadata' && clause.key === undefined) throw queryError(`Invalid search query: use ${clause.field}['key'] to search metadata.`);
    if (field.kind !== 'metadata' && clause.key !== undefined) throw queryError(`Invalid search query: ${clause.field} has no keys.`);
    const numeric = clause.operator !== ':' && clause.operator !== '~';
    if (numeric && field.kind !== 'number') throw queryError(`Invalid search query: ${clause.operator} can only be used with numeric fields, not ${clause.field}.`);
    if (clause.operator === '~') {
      if (field.kind !== 'text' || !field.substring) throw queryError(`Invalid search query: ${clause.field} does not support substring matching (~).`);
      if (typeof clause.value !== 'string' || clause.value.length < 3) throw queryError('Invalid search query: substring matching (~) needs at least 3 characters.');
    }
    if (field.kind === 'number' && typeof clause.value !== 'number') throw queryError(`Invalid search query: ${clause.field} takes a number.`);
    if (field.kind === 'text' && typeof clause.value !== 'string') throw queryError(`Invalid search query: the value of ${clause.field} must be quoted.`);
    const test = (item: T): boolean => {
      const actual = read(item, clause.field);
      if (field.kind === 'metadata') {
        const value = (actual as Record<string, string> | null | undefined)?.[clause.key!];
        return clause.value === null ? value === undefined : value === String(clause.value);
      }
      if (field.kind === 'number') {
        const n = typeof actual === 'number' ? actual : NaN;
        const v = clause.value as number;
        switch (clause.operator) {
          case '>':
            return n > v;
          case '<':
            return n < v;
          case '>=':
            return n >= v;
          case '<=':
            return n <= v;
          default:
            return n === v;
        }
      }
      if (typeof actual !== 'string') return false;
      const wanted = String(clause.value).toLowerCase();
      return clause.operator === '~' ? actual.toLowerCase().includes(wanted) : actual.toLowerCase() === wanted;
    };
    return (item: T) => test(item) !== clause.negated;
  });
  return joiner === 'AND' ? (item) => tests.every((t) => t(item)) : (item) => tests.some((t) => t(item));
}
