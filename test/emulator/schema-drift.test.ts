/**
 * The generated schemas are exactly what the installed `stripe` package's types
 * give (`npm run emulator:schemas` rewrites them; an SDK upgrade shows here).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

it('generated/stripe-params.schema.json and stripe-objects.schema.json match the stripe package types', () => {
  const root = path.join(__dirname, '..', '..');
  const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/generate-emulator-schemas.ts', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(output).toMatch(/stripe-params\.schema\.json is current/);
  expect(output).toMatch(/stripe-objects\.schema\.json is current/);
}, 120_000);
