/** EUR amounts: the API counts integer cents; people read and type euros. */
const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(cents: number, currency = 'EUR'): string {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format.format(cents / 100);
}

/** Euros as typed ("60", "60.5", "60,50", "€ 60.50") → cents, without floating point; null if it is not an amount. */
export function parseEuros(text: string): number | null {
  const match = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(text.replace(/[\s€]/g, ''));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}
