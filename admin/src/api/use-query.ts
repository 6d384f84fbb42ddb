import { useEffect, useState } from 'react';
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { useSession } from '../auth/session';
import type { ApiError } from './errors';

export interface QueryState<TData> {
  data: TData | null;
  error: ApiError | null;
  loading: boolean;
}

/**
 * A read that runs when the component appears and again whenever `key` changes
 * (new variables, or a live change the read depends on). An answer that arrives
 * after a newer read started is dropped.
 */
export function useQuery<TData, TVars>(
  document: DocumentTypeDecoration<TData, TVars> & { toString(): string },
  variables: TVars,
  key: string,
  enabled = true,
): QueryState<TData> {
  const { call } = useSession();
  const [state, setState] = useState<QueryState<TData>>({ data: null, error: null, loading: enabled });
  useEffect(() => {
    if (!enabled) return;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    call(document, variables).then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: ApiError) => current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      current = false;
    };
    // `key` stands for the variables
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [call, key, enabled]);
  return state;
}
