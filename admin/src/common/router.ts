/** Following the URL's fragment (the screens and their addresses: routes.ts). */
import { useEffect, useState } from 'react';
import { parseRoute, type Route } from './routes';

export { hrefs, parseRoute, type Route } from './routes';

export function navigate(href: string): void {
  window.location.hash = href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
