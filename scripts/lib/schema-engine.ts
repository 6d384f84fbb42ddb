/**
 * Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm),
 * driven through the pg driver adapter: the offline stand-in for the native
 * engine that `prisma migrate` would download (see STACK.md). It creates
 * migrations in Prisma's folder format and diffs schemas for the drift check.
 *
 * This is Prisma's internal API, used the way Prisma 6.19's CLI did with
 * `engine: "js"`; the package version is pinned to prisma's engines version.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine as WasmSchemaEngine } from '@prisma/schema-engine-wasm';

export const ROOT = path.join(__dirname, '..', '..');
export const SCHEMA_PATH = path.join(ROOT, 'prisma', 'schema.prisma');
export const MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');

export type SchemaEngine = WasmSchemaEngine;

/**
 * The engine introspects pg_catalog columns of PostgreSQL's internal `"char"` type
 * (OID 18), which the pg adapter does not map (prisma/orm#27403). Report them to
 * the adapter as text and to the engine as Character, which is what it expects.
 * Patched in this CLI process only, never in the service.
 */
const charColumnsOfRows = new WeakMap<unknown[], number[]>();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PgResult = require('pg/lib/result') as {
  prototype: { rows: unknown[]; addFields(fields: Array<{ dataTypeID: number }>): void };
};
const addFields = PgResult.prototype.addFields;
PgResult.prototype.addFields = function (fields) {
  const charColumns: number[] = [];
  fields.forEach((field, i) => {
    if (field.dataTypeID === 18) {
      field.dataTypeID = 25;
      charColumns.push(i);
    }
  });
  addFields.call(this, fields);
  if (charColumns.length) charColumnsOfRows.set(this.rows, charColumns);
};
const COLUMN_TYPE_CHARACTER = 6;
let queryRawPatched = false;
function patchQueryRaw(adapter: object) {
  if (queryRawPatched) return;
  let proto = Object.getPrototypeOf(adapter);
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'queryRaw')) proto = Object.getPrototypeOf(proto);
  const queryRaw = proto.queryRaw as (q: unknown) => Promise<{ columnTypes: number[]; rows: unknown[] }>;
  proto.queryRaw = async function (this: unknown, q: unknown) {
    const result = await queryRaw.call(this, q);
    for (const i of charColumnsOfRows.get(result.rows) ?? []) result.columnTypes[i] = COLUMN_TYPE_CHARACTER;
    return result;
  };
  queryRawPatched = true;
}

// The engine reports Rust panics through this global before throwing.
const panicRegistry = {
  message: '',
  set_message(message: string) {
    this.message = `schema engine panic: ${message}`;
    process.stderr.write(`${this.message}\n`);
  },
};
(globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY ??= panicRegistry;

let wasmReady = false;
function loadWasm(): typeof import('@prisma/schema-engine-wasm') {
  const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  // The package's entry imports the .wasm file as an ES module, which Node 20
  // cannot do; instantiate it by hand, as Prisma's CLI does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bg = require(path.join(pkgDir, 'schema_engine_bg.js'));
  if (!wasmReady) {
    // lib "ES2022" has no WebAssembly typings; Node has the global.
    const { WebAssembly } = globalThis as unknown as {
      WebAssembly: { Module: new (b: Buffer) => object; Instance: new (m: object, i: object) => { exports: object } };
    };
    const module = new WebAssembly.Module(fs.readFileSync(path.join(pkgDir, 'schema_engine_bg.wasm')));
    const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    wasmReady = true;
  }
  return bg;
}

export async function openSchemaEngine(databaseUrl: string): Promise<SchemaEngine> {
  const wasm = loadWasm();
  const factory = new PrismaPg({ connectionString: databaseUrl });
  const probe = await factory.connect();
  patchQueryRaw(probe);
  await probe.dispose();
  const adapter = bindMigrationAwareSqlAdapterFactory(factory as never);
  const schema = fs.readFileSync(SCHEMA_PATH, 'utf8');
  const debug = (msg: string) => {
    if (process.env.DEBUG_SCHEMA_ENGINE) process.stderr.write(`${msg}\n`);
  };
  return (await wasm.SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema]] }, debug, adapter)) as SchemaEngine;
}

export function schemaFiles() {
  return { files: [{ path: SCHEMA_PATH, content: fs.readFileSync(SCHEMA_PATH, 'utf8') }] };
}

/** The migrations folder as the engine wants it. */
export function migrationList() {
  const dirs = fs.existsSync(MIGRATIONS_DIR)
    ? fs
        .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const lockPath = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: {
      path: 'migration_lock.toml',
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: fs.readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

export const NO_FILTERS = { externalTables: [], externalEnums: [] };
