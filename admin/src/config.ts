/**
 * What the service tells the page when it serves /admin (a JSON script element,
 * not code, so the strict Content Security Policy holds): whether the development
 * token button may be offered.
 */
export interface ConsoleConfig {
  developmentToken: boolean;
}

export function readConfig(): ConsoleConfig {
  const element = document.getElementById('admin-config');
  if (!element?.textContent) return { developmentToken: import.meta.env.DEV };
  const parsed = JSON.parse(element.textContent) as Partial<ConsoleConfig>;
  return { developmentToken: parsed.developmentToken === true };
}
