/**
 * `npm run emulator:schemas`: JSON Schemas generated from the `stripe` package's
 * TypeScript types (scripts/lib/stripe-schema-types.ts), with
 * typescript-json-schema, then adjusted for what they are used for:
 *
 * - src/emulator/generated/stripe-params.schema.json: the parameters of every
 *   endpoint the emulator serves, checked on each request (strict: an unknown
 *   parameter is refused as Stripe does). Stripe's API takes integers where the
 *   SDK types say `number`, `Decimal` travels as a decimal string, and the SDK's
 *   "open" enums (`'a' | 'b' | OtherString`) are closed again: the server only
 *   accepts the listed values.
 * - test/emulator/generated/stripe-objects.schema.json: the objects and events
 *   the emulator returns, for the conformance test (required fields, types,
 *   nullability, enum values, no unknown fields). An expandable field may hold
 *   an id or, when expanded, one of the objects the emulator has; an expanded
 *   object of a kind the emulator does not have (customer, invoice...) is
 *   refused (`false`), which also keeps the file small.
 *
 * `-- --check` compares instead of writing and fails when a file differs (the
 * drift check; test/emulator/schema-drift.test.ts runs it too).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as TJS from 'typescript-json-schema';

type Schema = { [key: string]: unknown };

const ROOT = path.join(__dirname, '..');
const ENTRY = path.join(__dirname, 'lib', 'stripe-schema-types.ts');
const PARAMS_FILE = path.join(ROOT, 'src', 'emulator', 'generated', 'stripe-params.schema.json');
const OBJECTS_FILE = path.join(ROOT, 'test', 'emulator', 'generated', 'stripe-objects.schema.json');

/** Object kinds the emulator stores and can expand; other expandable objects are refused in the object schemas. */
const EMULATED_OBJECTS = [
  'Checkout.Session',
  'PaymentIntent',
  'Charge',
  'Refund',
  'Dispute',
  'BalanceTransaction',
  'LineItem',
  'Customer',
  'DeletedCustomer',
  'PaymentMethod',
  'Product',
  'Price',
  'Plan',
  'Subscription',
  'SubscriptionItem',
  'Invoice',
  'InvoiceLineItem',
  'InvoicePayment',
  'TestHelpers.TestClock',
];

function exportedAliases(): { params: string[]; objects: string[] } {
  const source = fs.readFileSync(ENTRY, 'utf8');
  const names = [...source.matchAll(/^export type (\w+) = Stripe\.[\w.]+;/gm)].map((m) => m[1]);
  return { params: names.filter((n) => n.endsWith('Params')), objects: names.filter((n) => !n.endsWith('Params')) };
}

function generate(names: string[]): { definitions: Record<string, Schema> } {
  const program = TJS.getProgramFromFiles([ENTRY], { strictNullChecks: true, esModuleInterop: true, skipLibCheck: true }, ROOT);
  const generator = TJS.buildGenerator(program, {
    required: true,
    noExtraProps: true,
    strictNullChecks: true,
    ref: true,
    aliasRef: false,
    topRef: false,
    ignoreErrors: false,
  });
  if (!generator) throw new Error('typescript-json-schema could not build a generator');
  const schema = generator.getSchemaForSymbols(names) as { definitions: Record<string, Schema> };
  return { definitions: schema.definitions };
}

const refName = (ref: string) => decodeURIComponent(ref.replace('#/definitions/', ''));
const isOtherString = (s: unknown) => typeof s === 'object' && s !== null && refName(String((s as Schema).$ref ?? '')) === 'OtherString';

/** Walks every sub-schema, children first, letting `fix` replace each. */
function transform(node: unknown, fix: (schema: Schema) => unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => transform(n, fix));
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === 'description') continue;
    out[key] = key === 'properties' || key === 'definitions'
      ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, transform(v, fix)]))
      : transform(value, fix);
  }
  return fix(out);
}

/** `'a' | 'b' | OtherString` (an "open" enum) → only the listed values. */
function closeEnums(schema: Schema): Schema {
  const branches = schema.anyOf as Schema[] | undefined;
  if (!branches || !branches.some(isOtherString)) return schema;
  const rest = branches.filter((b) => !isOtherString(b));
  const values: unknown[] = [];
  const others: Schema[] = [];
  for (const b of rest) {
    if (Array.isArray(b.enum) && b.type === 'string') values.push(...b.enum);
    else if (b.const !== undefined && b.type === 'string') values.push(b.const);
    else others.push(b);
  }
  const closed: Schema[] = values.length ? [{ type: 'string', enum: values }, ...others] : others;
  const { anyOf: _dropped, ...keep } = schema;
  void _dropped;
  return closed.length === 1 ? { ...keep, ...closed[0] } : { ...keep, anyOf: closed };
}

/** Stripe's API takes integers where the SDK says `number`, and a decimal string for `Decimal`. */
function stripeWireTypes(schema: Schema): Schema {
  if (typeof schema.$ref === 'string' && refName(schema.$ref) === 'Decimal') return { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' };
  if (schema.type === 'number') return { ...schema, type: 'integer' };
  // a plain string parameter cannot be sent empty (an empty value means "unset", allowed only where the type says `| ''`)
  if (schema.type === 'string' && schema.const === undefined && !schema.enum) return { ...schema, minLength: 1 };
  if (Array.isArray(schema.type)) return { ...schema, type: schema.type.map((t) => (t === 'number' ? 'integer' : t)) };
  return schema;
}

/** Keeps only the definitions reachable from `roots`. */
function prune(definitions: Record<string, Schema>, roots: string[]): Record<string, Schema> {
  const keep = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Schema)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = refName(value);
        if (!keep.has(name) && definitions[name]) {
          keep.add(name);
          visit(definitions[name]);
        }
      } else visit(value);
    }
  };
  for (const root of roots) {
    keep.add(root);
    visit(definitions[root]);
  }
  return Object.fromEntries(Object.keys(definitions).filter((k) => keep.has(k)).sort().map((k) => [k, definitions[k]]));
}

function paramSchemas(names: string[]) {
  const { definitions } = generate(names);
  const fixed = transform(definitions, (s) => stripeWireTypes(closeEnums(s))) as Record<string, Schema>;
  delete fixed.Decimal;
  return { definitions: prune(fixed, names) };
}

function objectSchemas(names: string[]) {
  const { definitions } = generate(names);
  // the definition names typescript-json-schema gives the emulated kinds (Checkout.Session is "Session")
  const kept = new Set([...EMULATED_OBJECTS.map((n) => n.split('.').pop()!), 'Metadata', 'Address', 'OtherString']);
  const isObjectKind = (name: string) => /^[A-Z]\w*(_\d+)?$/.test(name) && !name.startsWith('ApiList') && !name.startsWith('Partial');
  const fixed = transform(definitions, (s) => {
    if (typeof s.$ref === 'string') {
      const name = refName(s.$ref);
      // the SDK parses decimal strings into its Decimal class: on the wire it is a string
      if (name === 'Decimal') return { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' };
      // an object of a kind the emulator never returns expanded: refused
      if (isObjectKind(name) && !kept.has(name) && !names.includes(name)) return false;
    }
    // `deleted?: void` (present on deleted objects only) comes out as an empty anyOf: never present
    if (Array.isArray(s.anyOf) && s.anyOf.length === 0) return false;
    return closeEnums(s);
  }) as Record<string, Schema>;
  delete fixed.Decimal;
  return { definitions: prune(fixed, names) };
}

function main() {
  const check = process.argv.includes('--check');
  const { params, objects } = exportedAliases();
  const outputs: Array<[string, unknown]> = [
    [PARAMS_FILE, paramSchemas(params)],
    [OBJECTS_FILE, objectSchemas(objects)],
  ];
  let stale = false;
  for (const [file, schema] of outputs) {
    const text = `${JSON.stringify({ $comment: 'generated by `npm run emulator:schemas` from the stripe package types; do not edit', ...(schema as object) }, null, 1)}\n`;
    const relative = path.relative(ROOT, file);
    if (check) {
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      if (committed !== text) {
        console.error(`${relative} differs from the stripe package types: run \`npm run emulator:schemas\` and commit it.`);
        stale = true;
      } else console.log(`${relative} is current`);
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      console.log(`wrote ${relative} (${Math.round(text.length / 1024)} KiB)`);
    }
  }
  if (stale) process.exit(1);
}

main();
