import { NO_FILTERS, ROOT, openSchemaEngine, schemaFiles } from './schema-engine';
import { dropDatabase } from './scratch-database';
import { migratedScratchDatabase } from './migrated-scratch';

/**
 * The SQL that would take a database migrated with the committed migrations to
 * prisma/schema.prisma; null when they agree. Uses a scratch database next to
 * DATABASE_URL (default: the local server), dropped afterwards.
 */
export async function sqlFromMigrationsToSchema(prefix: string): Promise<string | null> {
  const scratch = await migratedScratchDatabase(
    process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    prefix,
  );
  try {
    const engine = await openSchemaEngine(scratch);
    const diff = await engine.diff({
      from: { tag: 'schemaDatasource', ...schemaFiles(), configDir: ROOT },
      to: { tag: 'schemaDatamodel', ...schemaFiles() },
      script: true,
      exitCode: true,
      filters: NO_FILTERS,
    });
    return diff.exitCode === 2 && diff.stdout ? diff.stdout : null;
  } finally {
    await dropDatabase(scratch);
  }
}
