/**
 * `npm run audit:export -- [--org <id>] [--from <date>] [--to <date>] [--out <file>]`:
 * an organization's audit entries in a window, oldest first, one JSON object per
 * line (NDJSON), for accountants and auditors. Reads only.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { once } from 'node:events';
import { AuditService } from '../src/audit/audit.service';
import { DEFAULT_ORG } from '../src/auth/user';
import { dateOption, flag, openOperatorContext, option } from './lib/operator';

async function main() {
  if (flag('help')) {
    console.log(`usage: npm run audit:export -- [--org <id>] [--from <date>] [--to <date>] [--out <file>]

Writes the audit entries of organization --org (default: ${DEFAULT_ORG}) made at or
after --from and before --to (default: all), oldest first, as NDJSON: to --out,
or to standard output. Uses the service's configuration (DATABASE_URL, or the
embedded database under DATA_DIR). Progress goes to standard error.`);
    return 0;
  }
  const orgId = option('org') ?? DEFAULT_ORG;
  const from = dateOption('from');
  const to = dateOption('to');
  const outPath = option('out');
  const ctx = await openOperatorContext({ logLevel: 'warn' });
  const out = outPath ? fs.createWriteStream(outPath) : process.stdout;
  try {
    const audit = new AuditService(ctx.db.prisma);
    let written = 0;
    for await (const entry of audit.entries(orgId, { from: from ?? null, to: to ?? null })) {
      if (!out.write(`${JSON.stringify(entry)}\n`)) await once(out, 'drain');
      written += 1;
      if (written % 10_000 === 0) process.stderr.write(`  ${written} entries\n`);
    }
    process.stderr.write(`audit:export: ${written} entries of organization ${orgId}${outPath ? ` written to ${outPath}` : ''}\n`);
    return 0;
  } finally {
    if (outPath) await new Promise<void>((resolve) => (out as fs.WriteStream).end(resolve));
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`audit:export failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
