import { useState, type FormEvent } from 'react';
import { useFocusWhen } from '../common/focus';
import { useSession } from './session';
import { cleanToken } from './token';

const DEVELOPMENT_TOKEN_PATH = '/admin/development-token';

/** Paste a bearer token; in development, a button mints an ADMIN token for the built-in secret. */
export function SignIn({ developmentToken }: { developmentToken: boolean }) {
  const { signIn, notice } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorRef = useFocusWhen<HTMLDivElement>(error, error);
  const headingRef = useFocusWhen<HTMLHeadingElement>(!error);

  async function attempt(getToken: () => Promise<string>) {
    setBusy(true);
    setError(null);
    try {
      await signIn(await getToken());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const cleaned = cleanToken(token);
    if (!cleaned) {
      setError('Paste a bearer token first.');
      return;
    }
    void attempt(async () => cleaned);
  }

  async function mint(): Promise<string> {
    const response = await fetch(DEVELOPMENT_TOKEN_PATH, { method: 'POST' });
    if (!response.ok) throw new Error('This service hands out no development token (it runs with a real JWT_SECRET, or in production).');
    return ((await response.json()) as { token: string }).token;
  }

  return (
    <main id="main" className="sign-in">
      <h1 tabIndex={-1} ref={headingRef}>
        Sign in to the payments console
      </h1>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <div className="error" role="alert" tabIndex={-1} ref={errorRef}>
          {error}
        </div>
      )}
      <form onSubmit={submit} noValidate>
        <label htmlFor="token">Bearer token (ADMIN)</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby="token-hint"
          aria-invalid={error ? true : undefined}
        />
        <p id="token-hint" className="hint">
          The token only, with or without “Bearer ”. It is kept in this tab until you sign out or close it. Mint one with{' '}
          <code>npm run token -- --sub your-name --role ADMIN</code>.
        </p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {developmentToken && (
        <section className="development" aria-labelledby="development-heading">
          <h2 id="development-heading">Development</h2>
          <p>This service runs on the built-in development secret, so anyone here may mint a one-hour ADMIN token.</p>
          <button type="button" className="secondary" disabled={busy} onClick={() => void attempt(mint)}>
            Sign in with a development ADMIN token
          </button>
        </section>
      )}
    </main>
  );
}
