import { useEffect } from 'react';
import { LiveProvider } from './api/live';
import { SignIn } from './auth/SignIn';
import { useSession } from './auth/session';
import { formatTime } from './common/dates';
import { useFocusWhen } from './common/focus';
import { hrefs, useRoute } from './common/router';
import type { ConsoleConfig } from './config';
import { PaymentsList } from './payments/PaymentsList';
import { ReservationDetail } from './reservation/ReservationDetail';

function NotFound({ path }: { path: string }) {
  const ref = useFocusWhen<HTMLHeadingElement>(true);
  return (
    <main id="main">
      <h1 tabIndex={-1} ref={ref}>
        Nothing here
      </h1>
      <p>
        The console has no screen at “{path}”. <a href={hrefs.payments()}>Go to the payments</a>.
      </p>
    </main>
  );
}

function Screens() {
  const route = useRoute();
  useEffect(() => {
    if (route.screen !== 'reservation') document.title = 'Payments console';
  }, [route]);
  if (route.screen === 'payments') return <PaymentsList query={route.query} />;
  if (route.screen === 'reservation') return <ReservationDetail reservationId={route.reservationId} refundPaymentId={route.refundPaymentId} />;
  return <NotFound path={route.path} />;
}

export function App({ config }: { config: ConsoleConfig }) {
  const { session, signOut } = useSession();
  return (
    <>
      <a className="skip-link" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.querySelector<HTMLElement>('h1')?.focus(); }}>
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href={hrefs.payments()}>
          Payments console
        </a>
        {session && (
          <>
            <nav aria-label="Main">
              <a href={hrefs.payments()}>Payments</a>
            </nav>
            <div className="who">
              <span>
                {session.claims.sub ?? 'unknown'} · {session.claims.role}
                {session.claims.org ? ` · ${session.claims.org}` : ''}
                {session.claims.exp ? ` · until ${formatTime(new Date(session.claims.exp * 1000))}` : ''}
              </span>
              <button type="button" className="secondary small" onClick={() => signOut('Signed out.')}>
                Sign out
              </button>
            </div>
          </>
        )}
      </header>
      {session ? (
        <LiveProvider>
          <Screens />
        </LiveProvider>
      ) : (
        <SignIn developmentToken={config.developmentToken} />
      )}
    </>
  );
}
