/**
 * Hand-written statements on the pg pool under Prisma, prepared once per
 * connection. Used where a statement runs on every request or event (units of
 * work, the paymentStatus read): there Prisma's client costs several times the
 * statement's own work. Prisma remains the schema, the migrations and the rest
 * of the reads; these statements return the same row shapes (camelCase, Dates).
 */
import pg from 'pg';

const escapeLiteral = (value: string) => pg.Client.prototype.escapeLiteral.call(null, value);

export interface Statement {
  /** the prepared statement's name: one text per name */
  readonly name: string;
  readonly text: string;
}

const names = new Map<string, string>();

/** Declares a statement once, at module load; a name reused with another text is a bug caught at start. */
export function statement(name: string, text: string): Statement {
  const known = names.get(name);
  if (known !== undefined && known !== text) throw new Error(`statement ${name} is declared twice with different texts`);
  names.set(name, text);
  return { name, text };
}

/** A pg client or pool, running prepared statements. */
export class Sql {
  constructor(
    private readonly client: pg.Pool | pg.PoolClient,
    /** told of every statement (the statement-count tests) */
    private readonly observe: (text: string) => void = () => undefined,
  ) {}

  async rows<T extends object>(s: Statement, values: unknown[] = []): Promise<T[]> {
    this.observe(s.text);
    return (await this.client.query<T>({ name: s.name, text: s.text, values })).rows;
  }

  /** Rows as arrays of values, in the statement's column order (no object per row: the hot reads). */
  async arrays<T extends unknown[]>(s: Statement, values: unknown[] = []): Promise<T[]> {
    this.observe(s.text);
    return (await this.client.query<T>({ name: s.name, text: s.text, values, rowMode: 'array' })).rows;
  }

  async first<T extends object>(s: Statement, values: unknown[] = []): Promise<T | null> {
    return (await this.rows<T>(s, values))[0] ?? null;
  }

  async one<T extends object>(s: Statement, values: unknown[] = []): Promise<T> {
    const row = await this.first<T>(s, values);
    if (!row) throw new Error(`statement ${s.name} returned no row`);
    return row;
  }

  async run(s: Statement, values: unknown[] = []): Promise<number> {
    this.observe(s.text);
    return (await this.client.query({ name: s.name, text: s.text, values })).rowCount ?? 0;
  }

  /** A value as a SQL literal, escaped by the driver (for statements sent with the commit, which take no parameters). */
  literal(value: string | number | boolean | Date | null): string {
    if (value === null) return 'NULL';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error('not a finite number');
      return String(value);
    }
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (value instanceof Date) return `'${value.toISOString()}'::timestamptz`;
    return escapeLiteral(value);
  }

  /** A statement that is not prepared (transaction control, NOTIFY with a channel name). */
  async raw(text: string, values: unknown[] = []): Promise<void> {
    this.observe(text);
    await this.client.query(text, values);
  }
}
