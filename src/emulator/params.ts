/**
 * Strict parameters: every request's decoded form (or query string) is checked
 * against the JSON Schema generated from the `stripe` package's parameter type of
 * its endpoint (generated/stripe-params.schema.json, `npm run emulator:schemas`),
 * with Ajv. Form values arrive as strings: Ajv coerces them to the declared
 * integers and booleans. The first failure becomes Stripe's error:
 * `parameter_unknown`, `parameter_missing`, `parameter_invalid_integer`,
 * `parameter_invalid_empty`, or an invalid value naming the allowed ones, each
 * with `param` in Stripe's bracket notation (`line_items[0][price_data][currency]`).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { invalidParams, type EmulatorApiError } from './emulator-errors';
import paramSchemas from './generated/stripe-params.schema.json';

/** The generated schema names (scripts/lib/stripe-schema-types.ts), one per endpoint. */
export type ParamsSchemaName = keyof typeof paramSchemas.definitions & `${string}Params`;

const ajv = new Ajv({ coerceTypes: 'array', allErrors: false, strict: false, verbose: true, allowUnionTypes: true });
ajv.addSchema(paramSchemas, 'stripe-params');
const compiled = new Map<ParamsSchemaName, ValidateFunction>();

function validator(name: ParamsSchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile({ $ref: `stripe-params#/definitions/${name}` });
    compiled.set(name, validate);
  }
  return validate;
}

/** `/line_items/0/price_data` → `line_items[0][price_data]` */
export function paramName(segments: string[]): string {
  const [first, ...rest] = segments;
  return `${first}${rest.map((s) => `[${s}]`).join('')}`;
}

const segmentsOf = (instancePath: string) =>
  instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

const oneOf = (values: unknown[]) =>
  values.length <= 1 ? String(values[0]) : `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1]}`;

/** The branch error that says most about a failed anyOf: the deepest, and for a scalar a scalar's. */
function mostTelling(errors: ErrorObject[]): ErrorObject {
  const specific = errors.filter((e) => e.keyword !== 'anyOf');
  if (!specific.length) return errors[0];
  const depth = (e: ErrorObject) => segmentsOf(e.instancePath).length + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 1 : 0);
  const deepest = Math.max(...specific.map(depth));
  const candidates = specific.filter((e) => depth(e) === deepest);
  const scalar = candidates.find((e) => typeof e.data !== 'object' && !(e.keyword === 'type' && e.params.type === 'object'));
  return scalar ?? candidates[0];
}

function toStripeError(error: ErrorObject): EmulatorApiError {
  const at = segmentsOf(error.instancePath);
  const param = at.length ? paramName(at) : '';
  const value = error.data;
  if (value === '' && error.keyword !== 'required' && error.keyword !== 'additionalProperties') {
    return invalidParams(
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      { code: 'parameter_invalid_empty', param },
    );
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = paramName([...at, String(error.params.additionalProperty)]);
      return invalidParams(`Received unknown parameter: ${unknown}`, { code: 'parameter_unknown', param: unknown });
    }
    case 'required': {
      const missing = paramName([...at, String(error.params.missingProperty)]);
      return invalidParams(`Missing required param: ${missing}.`, { code: 'parameter_missing', param: missing });
    }
    case 'type': {
      const expected = String(error.params.type);
      if (expected.includes('integer')) return invalidParams(`Invalid integer: ${String(value)}`, { code: 'parameter_invalid_integer', param });
      if (expected.includes('boolean')) return invalidParams(`Invalid boolean: ${String(value)}`, { param });
      if (expected.includes('array')) return invalidParams(`Invalid array`, { param });
      if (expected.includes('object')) return invalidParams(`Invalid object`, { param });
      return invalidParams(`Invalid string: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`, { param });
    }
    case 'enum':
      return invalidParams(`Invalid ${at[at.length - 1] ?? 'value'}: must be one of ${oneOf(error.params.allowedValues as unknown[])}`, { param });
    case 'const':
      return invalidParams(`Invalid ${at[at.length - 1] ?? 'value'}: must be ${String(error.params.allowedValue)}`, { param });
    case 'pattern':
      return invalidParams(`Invalid decimal: ${String(value)}`, { param });
    default:
      return invalidParams(`Invalid ${param || 'request'}: ${error.message ?? 'invalid value'}`, { param });
  }
}

/** Parameters a route received, already checked against the schema generated from `T`: typed as `T`. */
export const checked = <T>(params: Record<string, unknown>): T => params as T;

/**
 * Checks (and coerces in place) one request's parameters. Throws Stripe's
 * validation error; returns the parameters typed as the SDK's parameter type.
 */
export function checkParams<T>(name: ParamsSchemaName, params: Record<string, unknown>): T {
  const validate = validator(name);
  if (!validate(params)) throw toStripeError(mostTelling(validate.errors ?? []));
  return params as T;
}
