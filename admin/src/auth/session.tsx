/**
 * The signed-in session: one bearer token, kept in sessionStorage only (gone when
 * the tab closes; never in localStorage or a cookie). Signing in asks the service
 * with an ADMIN-only read, so the service's own rules say whether the token is
 * accepted; the console only words the answer. The session ends by itself when
 * the token expires, or when the service stops accepting it.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { request } from '../api/client';
import { ApiError, describeError } from '../api/errors';
import { formatDateTime, formatTime } from '../common/dates';
import { ConsoleSignInDocument } from '../graphql/generated';
import { readClaims, type TokenClaims } from './token';

const STORAGE_KEY = 'bpa.admin.token';

export interface Session {
  token: string;
  claims: TokenClaims;
}

interface SessionApi {
  session: Session | null;
  /** why the last session ended, for the sign-in screen */
  notice: string | null;
  /** resolves when signed in; rejects with a message for people */
  signIn(token: string): Promise<void>;
  signOut(notice?: string): void;
  /** a call of the API with the session's token; a refused token ends the session */
  call<TData, TVars>(document: Parameters<typeof request<TData, TVars>>[1], variables: TVars): Promise<TData>;
}

const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error('useSession outside SessionProvider');
  return api;
}

function stored(): Session | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  const claims = token ? readClaims(token) : null;
  if (!token || !claims || (claims.exp !== null && claims.exp * 1000 <= Date.now())) {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
  return { token, claims };
}

/** Why the service refused a token at sign-in, in words that say what to do. */
function refusal(error: unknown, claims: TokenClaims | null): string {
  if (error instanceof ApiError && error.code === 'FORBIDDEN') {
    const who = claims?.sub ? `“${claims.sub}”` : 'this user';
    return `This token is for ${who} with the role ${claims?.role ?? 'unknown'}: the console needs an ADMIN token.`;
  }
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
    return `The service does not accept this token: ${error.message}. Get a fresh ADMIN token and sign in again.`;
  }
  return describeError(error);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(stored);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((why?: string) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setSession(null);
    setNotice(why ?? null);
  }, []);

  const signIn = useCallback(async (token: string) => {
    const claims = readClaims(token);
    if (!claims) throw new Error('This is not a bearer token: a token (JWT) is three parts separated by dots, like eyJhbGciOi….');
    // a token past its own expiry is not even sent: the service would refuse it (HTTP 401)
    if (claims.exp !== null && claims.exp * 1000 <= Date.now()) {
      throw new Error(`This token expired at ${formatDateTime(new Date(claims.exp * 1000).toISOString())}. Get a fresh ADMIN token and sign in again.`);
    }
    try {
      await request(token, ConsoleSignInDocument, {});
    } catch (error) {
      throw new Error(refusal(error, claims));
    }
    sessionStorage.setItem(STORAGE_KEY, token);
    setNotice(null);
    setSession({ token, claims });
  }, []);

  // the session ends when its token does
  useEffect(() => {
    const exp = session?.claims.exp;
    if (!exp) return;
    const timer = window.setTimeout(
      () => signOut(`Your token expired at ${formatTime(new Date(exp * 1000))}. Sign in again.`),
      Math.max(0, exp * 1000 - Date.now()),
    );
    return () => window.clearTimeout(timer);
  }, [session, signOut]);

  const call = useCallback<SessionApi['call']>(
    async (document, variables) => {
      if (!session) throw new ApiError('UNAUTHENTICATED', 'Not signed in');
      try {
        return await request(session.token, document, variables);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') signOut(`Signed out: ${error.message}. Sign in again.`);
        throw error;
      }
    },
    [session, signOut],
  );

  const api = useMemo(() => ({ session, notice, signIn, signOut, call }), [session, notice, signIn, signOut, call]);
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}
