/**
 * With DATABASE_URL (CI, a real PostgreSQL server): migrate one template
 * database for the run; every test file then gets its own copy of it
 * (CREATE DATABASE … TEMPLATE), which is fast and starts clean.
 * Without DATABASE_URL every test file starts its own in-memory embedded database.
 */
import { Client } from 'pg';
import { applyMigrations } from '../../src/db/migrations';
import { createScratchDatabase } from '../../scripts/lib/scratch-database';

export default async function globalSetup(): Promise<void> {
  const base = process.env.DATABASE_URL;
  if (!base) return;
  const template = await createScratchDatabase(base, 'bpa_test_template');
  const client = new Client({ connectionString: template });
  await client.connect();
  try {
    await applyMigrations(client);
  } finally {
    await client.end();
  }
  process.env.TEST_TEMPLATE_DATABASE_URL = template;
}
