import { Client } from 'pg';
import { applyMigrations } from '../../src/db/migrations';
import { createScratchDatabase, dropDatabase } from './scratch-database';

/** A new, empty database with the committed migrations applied. */
export async function migratedScratchDatabase(baseUrl: string, prefix: string): Promise<string> {
  const url = await createScratchDatabase(baseUrl, prefix);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await applyMigrations(client);
  } catch (err) {
    await client.end();
    await dropDatabase(url);
    throw err;
  }
  await client.end();
  return url;
}
