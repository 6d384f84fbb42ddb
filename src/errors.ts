/**
 * The one error model of the API. Domain rules throw AppError with one of
 * SPEC.md's codes; `formatError` (used by Apollo) lets those through and turns
 * anything else into a generic message with the request's correlation id, after
 * logging it with its stack. No stack, SQL or secret reaches a client.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RESERVATION_NOT_PAYABLE',
  'HOLD_EXPIRED',
  'ALREADY_PAID',
  'RETRY_LIMIT_REACHED',
  'NO_REFUND_DUE',
  'REFUND_EXCEEDS_PAYMENT',
  'ALREADY_REFUNDED',
  'PAYMENT_PROVIDER_ERROR',
  'PAYMENT_PROVIDER_UNAVAILABLE',
  // the provider's answer was lost (timeout, reset, 5xx): it may have acted; the same request completes it
  'PAYMENT_PROVIDER_PENDING',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Statuses of errors that refuse a whole request (a resolver's error keeps 200, as GraphQL does). */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, QUERY_TOO_COMPLEX: 400, RATE_LIMITED: 429 };

export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, httpStatus = HTTP_STATUS[code]) {
    super(message, {
      extensions: { code, ...extensions, ...(httpStatus ? { http: { status: httpStatus } } : {}) },
    });
    this.code = code;
  }
}

/** One problem with one input field: `extensions.fields` is a list of these on every BAD_USER_INPUT. */
export interface FieldProblem {
  field: string;
  message: string;
}

export const badInputs = (problems: FieldProblem[], http?: { status: number }) =>
  new AppError('BAD_USER_INPUT', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
    fields: problems,
    ...(http ? { http } : {}),
  });
export const badInput = (field: string, message: string) => badInputs([{ field, message }]);
export const queryTooComplex = (message: string) => new AppError('QUERY_TOO_COMPLEX', message);
export const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `${what} ${id} does not exist`);
export const forbidden = (message = 'You may not access this resource') => new AppError('FORBIDDEN', message);
/** A token that is not valid: the whole request is refused (HTTP 401). */
export const unauthenticated = (message = 'Authentication required: send a valid bearer token') =>
  new AppError('UNAUTHENTICATED', message);
/** No token, on an operation that needs one: that field's error (HTTP 200, like every field error). */
export const tokenRequired = () => new AppError('UNAUTHENTICATED', 'Authentication required: send a valid bearer token', {}, 0);

// Codes that graphql-js and Apollo give to a malformed request: clear and safe as they are.
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** "input.checkOut: must be after checkIn; input.amount: must be a positive integer" */
function describeValidation(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...describeValidation(error.children ?? [], field)];
  });
}

const TOKEN_LIMIT = /Document contains more th[ae][nt] \d+ tokens/;

/**
 * graphql-js's variable coercion messages, e.g.
 * `Variable "$input" got invalid value 5.5 at "input.amount"; Int cannot represent non-integer value: 5.5`.
 */
function variableProblem(message: string): FieldProblem {
  const invalid = /^Variable "\$([^"]+)" got invalid value .*?(?: at "([^"]+)")?; (.*)$/s.exec(message);
  if (invalid) return { field: invalid[2] ?? invalid[1], message: invalid[3] };
  const missing = /^Variable "\$([^"]+)" of (?:required|non-null) type "[^"]+" (was not provided|must not be null)\.?$/.exec(message);
  if (missing) return { field: missing[1], message: missing[2] === 'was not provided' ? 'is required' : 'must not be null' };
  return { field: 'variables', message };
}

export interface ErrorLogger {
  error(obj: object, msg: string): void;
}

/**
 * Apollo's formatError. `original` is the error thrown in a resolver (unwrapped);
 * requestId is the correlation id echoed in the x-request-id response header.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  original: unknown,
  requestId: string | undefined,
  log: ErrorLogger,
): GraphQLFormattedError {
  const cause = original instanceof GraphQLError && original.originalError ? original.originalError : original;

  if (cause instanceof ArgumentValidationError) {
    const problems = describeValidation(cause.extensions.validationErrors, '');
    return {
      message: problems.map((p) => `${p.field}: ${p.message}`).join('; ') || 'Invalid input',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'BAD_USER_INPUT', fields: problems },
    };
  }
  if (cause instanceof AppError) {
    const { http: _http, ...extensions } = cause.extensions as Record<string, unknown>;
    return { message: cause.message, path: formatted.path, locations: formatted.locations, extensions };
  }
  const code = formatted.extensions?.code;
  if (code === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT.test(formatted.message)) {
    // graphql-js stops parsing at Apollo's parseOptions.maxTokens (src/http/graphql-limits.ts)
    return { message: 'The query has too many tokens', locations: formatted.locations, extensions: { code: 'QUERY_TOO_COMPLEX' } };
  }
  if (code === 'BAD_USER_INPUT') {
    // a variable graphql-js could not coerce: name the field like every other input error
    const problem = variableProblem(formatted.message);
    return { message: `${problem.field}: ${problem.message}`, locations: formatted.locations, extensions: { code, fields: [problem] } };
  }
  if (code === 'UNAUTHENTICATED') return { ...formatted, extensions: { code } };
  if (code === 'UNAUTHORIZED') {
    // type-graphql's @Authorized() role failure
    return { ...formatted, message: 'Your role may not perform this operation', extensions: { code: 'FORBIDDEN' } };
  }
  if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code) && !(cause instanceof Error && !(cause instanceof GraphQLError))) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  }
  log.error({ err: cause, requestId, path: formatted.path }, 'unexpected error while handling a GraphQL request');
  return {
    message: `Internal server error. Quote request id ${requestId ?? 'unknown'} when reporting it.`,
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  };
}
