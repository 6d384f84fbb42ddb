import { openDatabase, type Database } from '../../src/db';
import { createScratchDatabase, dropDatabase } from '../../scripts/lib/scratch-database';

/** A clean, migrated database for one test file: a copy of the run's template, or in-memory PGlite. */
export async function openTestDatabase(): Promise<Database> {
  const template = process.env.TEST_TEMPLATE_DATABASE_URL;
  if (!template) return openDatabase({ url: undefined, dataDir: undefined });
  const templateName = decodeURIComponent(new URL(template).pathname.slice(1));
  const url = await createScratchDatabase(template, 'bpa_test', templateName);
  const db = await openDatabase({ url, poolSize: 10 });
  return {
    ...db,
    async close() {
      await db.close();
      await dropDatabase(url);
    },
  };
}
