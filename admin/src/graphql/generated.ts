/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What made the change: an API call, a Stripe webhook, or a background job */
export type AuditSource =
  | 'API'
  | 'JOB'
  | 'WEBHOOK';

/** One checkout attempt: PENDING (session open) → SUCCEEDED | FAILED | EXPIRED | CANCELED; SUCCEEDED → PARTIALLY_REFUNDED → REFUNDED */
export type PaymentAttemptStatus =
  | 'CANCELED'
  | 'EXPIRED'
  | 'FAILED'
  | 'PARTIALLY_REFUNDED'
  | 'PENDING'
  | 'REFUNDED'
  | 'SUCCEEDED';

/** ADMIN: which payment attempts paymentsConnection lists (every given condition must hold) */
export type PaymentFilter = {
  /** attempts started at or after this instant */
  from?: string | null | undefined;
  /** the attempts of this guest's reservations (the guest's user id) */
  guestId?: string | number | null | undefined;
  /** the attempts of this reservation (RES-YYYY-XXXXXX) */
  reservationId?: string | number | null | undefined;
  status?: PaymentAttemptStatus | null | undefined;
  /** attempts started before this instant */
  to?: string | null | undefined;
};

/** Where a reservation's payment stands overall */
export type PaymentState =
  | 'EXPIRED'
  | 'FAILED'
  | 'PAID'
  | 'PARTIALLY_REFUNDED'
  | 'PENDING'
  | 'REFUNDED'
  | 'UNPAID';

export type RefundPaymentInput = {
  /** ADMIN only: euro cents to refund; guests get the cancellation policy amount */
  amount?: number | null | undefined;
  /** Any unique string per refund request: sending the same request again returns the same refund instead of refunding twice */
  idempotencyKey?: string | null | undefined;
  paymentId: string | number;
  reason?: string | null | undefined;
};

/** PENDING while Stripe processes it; SUCCEEDED, FAILED or CANCELED as Stripe reports */
export type RefundStatus =
  | 'CANCELED'
  | 'FAILED'
  | 'PENDING'
  | 'SUCCEEDED';

/** The cancellation policy by whole days before check-in: FULL (14 or more), HALF (7 to 13), NONE (under 7) */
export type RefundTier =
  | 'FULL'
  | 'HALF'
  | 'NONE';

/** PENDING until paid (CONFIRMED), its hold lapses (EXPIRED) or it is cancelled with a refund (CANCELLED) */
export type ReservationStatus =
  | 'CANCELLED'
  | 'CONFIRMED'
  | 'EXPIRED'
  | 'PENDING';

export type ConsoleAuditTrailQueryVariables = Exact<{
  reservationId: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleAuditTrailQuery = { auditLog: { edges: Array<{ cursor: string, node: { id: string, at: string, actorId: string, actorRole: string, source: AuditSource, action: string, targetType: string, targetId: string, before: string | null, after: string | null, amount: number | null, stripeEventId: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ConsolePaymentsQueryVariables = Exact<{
  filter?: PaymentFilter | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type ConsolePaymentsQuery = { paymentsConnection: { edges: Array<{ cursor: string, node: { id: string, reservationId: string, attempt: number, status: PaymentAttemptStatus, amount: number, refundedAmount: number, currency: string, failureCode: string | null, disputed: boolean, createdAt: string, reservation: { id: string, guestId: string, status: ReservationStatus } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ConsoleSignInQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleSignInQuery = { paymentsConnection: { pageInfo: { hasNextPage: boolean } } };

export type ConsoleRefundQuoteQueryVariables = Exact<{
  paymentId: string | number;
}>;


export type ConsoleRefundQuoteQuery = { refundQuote: { paymentId: string, amount: number, tier: RefundTier, reason: string, daysBeforeCheckIn: number, refundableAmount: number, currency: string, quotedAt: string } };

export type ConsoleRefundPaymentMutationVariables = Exact<{
  input: RefundPaymentInput;
}>;


export type ConsoleRefundPaymentMutation = { refundPayment: { id: string, paymentId: string, amount: number, currency: string, status: RefundStatus, reason: string | null, policy: string | null, stripeRefundId: string | null, createdAt: string } };

export type ConsoleRefundFragment = { id: string, paymentId: string, amount: number, currency: string, status: RefundStatus, reason: string | null, policy: string | null, stripeRefundId: string | null, createdAt: string };

export type ConsolePaymentStatusFragment = { state: PaymentState, canRetry: boolean, attemptCount: number, attemptsRemaining: number, amountPaid: number, amountRefunded: number, reservation: { id: string, guestId: string, description: string, checkIn: string, checkOut: string, amount: number, currency: string, status: ReservationStatus, holdExpiresAt: string, createdAt: string }, attempts: Array<{ id: string, attempt: number, status: PaymentAttemptStatus, amount: number, currency: string, refundedAmount: number, checkoutSessionId: string | null, paymentIntentId: string | null, checkoutUrl: string | null, expiresAt: string | null, failureCode: string | null, failureMessage: string | null, disputed: boolean, createdAt: string }>, refunds: Array<{ id: string, paymentId: string, amount: number, currency: string, status: RefundStatus, reason: string | null, policy: string | null, stripeRefundId: string | null, createdAt: string }> };

export type ConsoleReservationQueryVariables = Exact<{
  reservationId: string | number;
}>;


export type ConsoleReservationQuery = { paymentStatus: { state: PaymentState, canRetry: boolean, attemptCount: number, attemptsRemaining: number, amountPaid: number, amountRefunded: number, reservation: { id: string, guestId: string, description: string, checkIn: string, checkOut: string, amount: number, currency: string, status: ReservationStatus, holdExpiresAt: string, createdAt: string }, attempts: Array<{ id: string, attempt: number, status: PaymentAttemptStatus, amount: number, currency: string, refundedAmount: number, checkoutSessionId: string | null, paymentIntentId: string | null, checkoutUrl: string | null, expiresAt: string | null, failureCode: string | null, failureMessage: string | null, disputed: boolean, createdAt: string }>, refunds: Array<{ id: string, paymentId: string, amount: number, currency: string, status: RefundStatus, reason: string | null, policy: string | null, stripeRefundId: string | null, createdAt: string }> } };

export type ConsoleReservationLiveSubscriptionVariables = Exact<{
  reservationId: string | number;
}>;


export type ConsoleReservationLiveSubscription = { paymentStatusChanged: { state: PaymentState, canRetry: boolean, attemptCount: number, attemptsRemaining: number, amountPaid: number, amountRefunded: number, reservation: { id: string, guestId: string, description: string, checkIn: string, checkOut: string, amount: number, currency: string, status: ReservationStatus, holdExpiresAt: string, createdAt: string }, attempts: Array<{ id: string, attempt: number, status: PaymentAttemptStatus, amount: number, currency: string, refundedAmount: number, checkoutSessionId: string | null, paymentIntentId: string | null, checkoutUrl: string | null, expiresAt: string | null, failureCode: string | null, failureMessage: string | null, disputed: boolean, createdAt: string }>, refunds: Array<{ id: string, paymentId: string, amount: number, currency: string, status: RefundStatus, reason: string | null, policy: string | null, stripeRefundId: string | null, createdAt: string }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ConsoleRefundFragmentDoc = new TypedDocumentString(`
    fragment ConsoleRefund on Refund {
  id
  paymentId
  amount
  currency
  status
  reason
  policy
  stripeRefundId
  createdAt
}
    `, {"fragmentName":"ConsoleRefund"}) as unknown as TypedDocumentString<ConsoleRefundFragment, unknown>;
export const ConsolePaymentStatusFragmentDoc = new TypedDocumentString(`
    fragment ConsolePaymentStatus on PaymentStatus {
  state
  canRetry
  attemptCount
  attemptsRemaining
  amountPaid
  amountRefunded
  reservation {
    id
    guestId
    description
    checkIn
    checkOut
    amount
    currency
    status
    holdExpiresAt
    createdAt
  }
  attempts {
    id
    attempt
    status
    amount
    currency
    refundedAmount
    checkoutSessionId
    paymentIntentId
    checkoutUrl
    expiresAt
    failureCode
    failureMessage
    disputed
    createdAt
  }
  refunds {
    ...ConsoleRefund
  }
}
    fragment ConsoleRefund on Refund {
  id
  paymentId
  amount
  currency
  status
  reason
  policy
  stripeRefundId
  createdAt
}`, {"fragmentName":"ConsolePaymentStatus"}) as unknown as TypedDocumentString<ConsolePaymentStatusFragment, unknown>;
export const ConsoleAuditTrailDocument = new TypedDocumentString(`
    query ConsoleAuditTrail($reservationId: ID!, $first: Int, $after: String) {
  auditLog(filter: {reservationId: $reservationId}, first: $first, after: $after) {
    edges {
      cursor
      node {
        id
        at
        actorId
        actorRole
        source
        action
        targetType
        targetId
        before
        after
        amount
        stripeEventId
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleAuditTrailQuery, ConsoleAuditTrailQueryVariables>;
export const ConsolePaymentsDocument = new TypedDocumentString(`
    query ConsolePayments($filter: PaymentFilter, $first: Int!, $after: String) {
  paymentsConnection(filter: $filter, first: $first, after: $after) {
    edges {
      cursor
      node {
        id
        reservationId
        attempt
        status
        amount
        refundedAmount
        currency
        failureCode
        disputed
        createdAt
        reservation {
          id
          guestId
          status
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ConsolePaymentsQuery, ConsolePaymentsQueryVariables>;
export const ConsoleSignInDocument = new TypedDocumentString(`
    query ConsoleSignIn {
  paymentsConnection(first: 1) {
    pageInfo {
      hasNextPage
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleSignInQuery, ConsoleSignInQueryVariables>;
export const ConsoleRefundQuoteDocument = new TypedDocumentString(`
    query ConsoleRefundQuote($paymentId: ID!) {
  refundQuote(paymentId: $paymentId) {
    paymentId
    amount
    tier
    reason
    daysBeforeCheckIn
    refundableAmount
    currency
    quotedAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleRefundQuoteQuery, ConsoleRefundQuoteQueryVariables>;
export const ConsoleRefundPaymentDocument = new TypedDocumentString(`
    mutation ConsoleRefundPayment($input: RefundPaymentInput!) {
  refundPayment(input: $input) {
    ...ConsoleRefund
  }
}
    fragment ConsoleRefund on Refund {
  id
  paymentId
  amount
  currency
  status
  reason
  policy
  stripeRefundId
  createdAt
}`) as unknown as TypedDocumentString<ConsoleRefundPaymentMutation, ConsoleRefundPaymentMutationVariables>;
export const ConsoleReservationDocument = new TypedDocumentString(`
    query ConsoleReservation($reservationId: ID!) {
  paymentStatus(reservationId: $reservationId) {
    ...ConsolePaymentStatus
  }
}
    fragment ConsoleRefund on Refund {
  id
  paymentId
  amount
  currency
  status
  reason
  policy
  stripeRefundId
  createdAt
}
fragment ConsolePaymentStatus on PaymentStatus {
  state
  canRetry
  attemptCount
  attemptsRemaining
  amountPaid
  amountRefunded
  reservation {
    id
    guestId
    description
    checkIn
    checkOut
    amount
    currency
    status
    holdExpiresAt
    createdAt
  }
  attempts {
    id
    attempt
    status
    amount
    currency
    refundedAmount
    checkoutSessionId
    paymentIntentId
    checkoutUrl
    expiresAt
    failureCode
    failureMessage
    disputed
    createdAt
  }
  refunds {
    ...ConsoleRefund
  }
}`) as unknown as TypedDocumentString<ConsoleReservationQuery, ConsoleReservationQueryVariables>;
export const ConsoleReservationLiveDocument = new TypedDocumentString(`
    subscription ConsoleReservationLive($reservationId: ID!) {
  paymentStatusChanged(reservationId: $reservationId) {
    ...ConsolePaymentStatus
  }
}
    fragment ConsoleRefund on Refund {
  id
  paymentId
  amount
  currency
  status
  reason
  policy
  stripeRefundId
  createdAt
}
fragment ConsolePaymentStatus on PaymentStatus {
  state
  canRetry
  attemptCount
  attemptsRemaining
  amountPaid
  amountRefunded
  reservation {
    id
    guestId
    description
    checkIn
    checkOut
    amount
    currency
    status
    holdExpiresAt
    createdAt
  }
  attempts {
    id
    attempt
    status
    amount
    currency
    refundedAmount
    checkoutSessionId
    paymentIntentId
    checkoutUrl
    expiresAt
    failureCode
    failureMessage
    disputed
    createdAt
  }
  refunds {
    ...ConsoleRefund
  }
}`) as unknown as TypedDocumentString<ConsoleReservationLiveSubscription, ConsoleReservationLiveSubscriptionVariables>;