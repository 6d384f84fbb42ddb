/**
 * Live updates: the API's subscriptions over graphql-ws on the WebSocket of
 * /graphql. One socket per signed-in session; the token goes in
 * connectionParams (a function, so a reconnection sends it again). The service
 * closes the socket 4403 when the token expires or is refused: the session ends
 * with that reason. Other closes are retried by the client, with backoff.
 */
import { createClient, type Client } from 'graphql-ws';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { useSession } from '../auth/session';
import { GRAPHQL_PATH } from './client';
import { ApiError } from './errors';

const LiveContext = createContext<Client | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const token = session?.token;
  const [client, setClient] = useState<Client | null>(null);
  // made and disposed by the effect (not memoized): a client is never used after its disposal
  useEffect(() => {
    if (!token) return;
    const created = createClient({
      url: `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}${GRAPHQL_PATH}`,
      connectionParams: () => ({ authorization: `Bearer ${token}` }),
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: (event) => !(event && typeof event === 'object' && 'code' in event && (event as CloseEvent).code === 4403),
      on: {
        closed: (event) => {
          const close = event as CloseEvent | undefined;
          if (close?.code === 4403) signOut(`Signed out: ${close.reason || 'the service no longer accepts your token'}. Sign in again.`);
        },
      },
    });
    setClient(created);
    return () => {
      setClient(null);
      void created.dispose();
    };
  }, [token, signOut]);
  return <LiveContext.Provider value={client}>{children}</LiveContext.Provider>;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Subscribes while the component is shown: `data` is the newest pushed result,
 * `revision` counts them (panels with their own reads refetch on it).
 */
export function useSubscription<TData, TVars>(
  document: DocumentTypeDecoration<TData, TVars> & { toString(): string },
  variables: TVars,
  key: string,
): { data: TData | null; error: ApiError | null; state: LiveState; revision: number } {
  const client = useContext(LiveContext);
  const [result, setResult] = useState<{ data: TData | null; error: ApiError | null; revision: number }>({ data: null, error: null, revision: 0 });
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (!client) return;
    setResult({ data: null, error: null, revision: 0 });
    setState('connecting');
    const offConnected = client.on('connected', () => setState('live'));
    const offClosed = client.on('closed', () => setState('reconnecting'));
    const stop = client.subscribe<TData>(
      { query: document.toString(), variables: variables as Record<string, unknown> },
      {
        next: (message) => {
          const first = message.errors?.[0];
          if (first) {
            const extensions = (first.extensions ?? {}) as Record<string, unknown>;
            setResult((r) => ({ ...r, error: new ApiError(String(extensions.code ?? 'INTERNAL_SERVER_ERROR'), first.message, extensions) }));
          } else if (message.data) {
            const data = message.data as TData;
            setState('live');
            setResult((r) => ({ data, error: null, revision: r.revision + 1 }));
          }
        },
        error: (error) => {
          const message = error instanceof Error ? error.message : 'the live connection failed';
          setResult((r) => ({ ...r, error: new ApiError('NETWORK', message) }));
        },
        complete: () => undefined,
      },
    );
    return () => {
      stop();
      offConnected();
      offClosed();
    };
    // `key` stands for the variables: a new key, a new subscription
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key]);
  return { ...result, state };
}
