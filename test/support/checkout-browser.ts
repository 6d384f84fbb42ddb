/**
 * What a person's browser does on the emulator's hosted checkout page: load it,
 * submit the card (or IBAN) form, answer 3-D Secure if asked, and stop at the
 * redirect to the front end's success URL (which is not followed).
 */
export interface PageResult {
  status: number;
  location?: string;
  html: string;
}

export async function payOnCheckoutPage(
  sessionUrl: string,
  options: { card?: string; iban?: string; email?: string; threeDS?: 'complete' | 'fail' },
): Promise<PageResult> {
  const page = await fetch(sessionUrl);
  const pageHtml = await page.text();
  if (page.status !== 200) return { status: page.status, html: pageHtml };
  const form = new URLSearchParams(
    options.iban
      ? { iban: options.iban, email: options.email ?? '' }
      : { card_number: options.card ?? '4242 4242 4242 4242', exp: '12 / 34', cvc: '123', email: options.email ?? '' },
  );
  let response = await fetch(sessionUrl, { method: 'POST', body: form, redirect: 'manual' });
  let html = await response.text();
  if (response.status === 200 && /3D Secure/.test(html)) {
    if (!options.threeDS) return { status: response.status, html };
    response = await fetch(`${sessionUrl}/3ds`, {
      method: 'POST',
      body: new URLSearchParams({ action: options.threeDS }),
      redirect: 'manual',
    });
    html = await response.text();
  }
  return { status: response.status, location: response.headers.get('location') ?? undefined, html };
}
