/**
 * Queries and mutations over POST /graphql, with the generated typed documents
 * (admin/src/graphql/generated.ts): a document carries its result and variable
 * types, so a screen cannot ask for a field the schema does not have.
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { ApiError } from './errors';

export const GRAPHQL_PATH = '/graphql';

type Document<TData, TVars> = DocumentTypeDecoration<TData, TVars> & { toString(): string };

interface GraphQLBody<TData> {
  data?: TData | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** The data, or an ApiError with the first error's code (NETWORK when no answer came back at all). */
export async function request<TData, TVars>(token: string, document: Document<TData, TVars>, variables: TVars): Promise<TData> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch {
    throw new ApiError('NETWORK', 'Check the connection; nothing is known about what happened to the request.');
  }
  let body: GraphQLBody<TData>;
  try {
    body = (await response.json()) as GraphQLBody<TData>;
  } catch {
    throw new ApiError(response.status === 429 ? 'RATE_LIMITED' : 'INTERNAL_SERVER_ERROR', `The service answered HTTP ${response.status}.`);
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR'), first.message, first.extensions ?? {});
  if (!body.data) throw new ApiError('INTERNAL_SERVER_ERROR', 'The service answered without data.');
  return body.data;
}
