/** `npm run migrate`: applies pending migrations to DATABASE_URL (what `prisma migrate deploy` does). */
import { Client } from 'pg';
import { applyMigrations } from '../src/db/migrations';

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (the embedded database is migrated at start by itself)');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const applied = await applyMigrations(client);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
