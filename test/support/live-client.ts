/**
 * A subscriber over a real WebSocket, with graphql-ws's own client: what a
 * front end runs. `watch` records every result and the socket's close, and
 * `until` polls the record (never a fixed sleep).
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { eventually } from './scenario';

export interface LiveClient extends Client {
  /** close events of the socket (code, reason), newest last */
  closes: Array<{ code: number; reason: string }>;
  /** true once the server acknowledged the connection */
  connected(): boolean;
}

/** A client of `baseUrl`'s /graphql WebSocket; lazy (connects on the first subscription), no retries. */
export function liveClient(baseUrl: string, connectionParams?: Record<string, unknown>): LiveClient {
  const closes: LiveClient['closes'] = [];
  let acknowledged = false;
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    on: {
      connected: () => {
        acknowledged = true;
      },
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason: String(reason) });
      },
    },
  });
  return Object.assign(client, { closes, connected: () => acknowledged });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Watch<TData> {
  results: Array<ExecutionResult<TData>>;
  /** when each result arrived (Date.now()) */
  arrivals: number[];
  /** what the client's error callback got (a close event or GraphQL errors) */
  error: unknown;
  completed: boolean;
  /** the data of the last result */
  latest(): TData | undefined;
  /** polls until `check` passes on the record; returns the result that passed */
  until(check: (data: TData) => boolean, timeoutMs?: number): Promise<TData>;
  /** polls until the subscription has ended (completed or errored) */
  ended(timeoutMs?: number): Promise<void>;
  stop(): void;
}

export function watch<TData, TVars extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
): Watch<TData> {
  const record: Watch<TData> = {
    results: [],
    arrivals: [],
    error: undefined,
    completed: false,
    latest: () => record.results.at(-1)?.data ?? undefined,
    until: (check, timeoutMs = 10_000) =>
      eventually(async () => {
        const found = record.results.map((r) => r.data).find((data) => data && check(data));
        if (!found) throw new Error(`no matching result yet; got ${JSON.stringify(record.results)} (error: ${JSON.stringify(record.error)})`);
        return found;
      }, timeoutMs),
    ended: (timeoutMs = 10_000) =>
      eventually(async () => {
        if (!record.completed && record.error === undefined) throw new Error(`still running; got ${JSON.stringify(record.results)}`);
      }, timeoutMs),
    stop: () => undefined,
  };
  record.stop = client.subscribe<TData>(
    { query: print(document), variables },
    {
      next: (result) => {
        record.arrivals.push(Date.now());
        record.results.push(result as ExecutionResult<TData>);
      },
      error: (err) => {
        record.error = err;
      },
      complete: () => {
        record.completed = true;
      },
    },
  );
  return record;
}
