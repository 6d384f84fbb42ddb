/**
 * Stripe's error body and statuses:
 * `{ error: { type, code, doc_url, message, param, decline_code } }`.
 * `doc_url` is Stripe's page for the code (docs.stripe.com/error-codes/<code with hyphens>).
 * A *validation* error is one Stripe answers before the endpoint starts executing:
 * its answer is not stored under the request's idempotency key.
 */
export type StripeErrorType =
  | 'invalid_request_error'
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'authentication_error'
  | 'rate_limit_error';

export interface StripeErrorFields {
  code?: string;
  param?: string;
  decline_code?: string;
}

export const docUrl = (code: string) => `https://docs.stripe.com/error-codes/${code.replace(/_/g, '-')}`;

export class EmulatorApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly fields: StripeErrorFields = {},
    /** refused before execution: nothing is stored under the idempotency key */
    readonly validation = false,
  ) {
    super(message);
  }

  body() {
    const { code, param, decline_code } = this.fields;
    return {
      error: {
        type: this.type,
        ...(code ? { code, doc_url: docUrl(code) } : {}),
        ...(decline_code ? { decline_code } : {}),
        message: this.message,
        ...(param ? { param } : {}),
      },
    };
  }
}

/** A 400 invalid_request_error raised while the endpoint runs (stored with the idempotency key). */
export const invalidRequest = (message: string, fields: StripeErrorFields = {}) =>
  new EmulatorApiError(400, 'invalid_request_error', message, fields);

/** A 400 refused before the endpoint runs: parameters that fail validation. */
export const invalidParams = (message: string, fields: StripeErrorFields = {}) =>
  new EmulatorApiError(400, 'invalid_request_error', message, fields, true);

/** Stripe's 404 for an id it does not have; `param` names the parameter (or path parameter) that carried it. */
export const resourceMissing = (kind: string, id: string, param: string) =>
  new EmulatorApiError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', param });
