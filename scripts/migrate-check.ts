/**
 * `npm run migrate:check`: fails when the committed migrations do not produce exactly
 * the schema in prisma/schema.prisma. Applies them to a scratch database and asks
 * Prisma's WebAssembly schema engine for the difference (CI's migration drift check).
 */
import { NO_FILTERS, ROOT, openSchemaEngine, schemaFiles } from './lib/schema-engine';
import { dropDatabase } from './lib/scratch-database';
import { migratedScratchDatabase } from './lib/migrated-scratch';

async function main() {
  const scratch = await migratedScratchDatabase(
    process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    'migrate_check',
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
    if (diff.exitCode === 2) {
      console.error('Migration drift: the migrations do not produce prisma/schema.prisma. Missing SQL:\n');
      console.error(diff.stdout);
      console.error('Run `npm run migrate:create -- <name>` and commit the new migration.');
      process.exitCode = 1;
    } else {
      console.log('migrations match prisma/schema.prisma');
    }
  } finally {
    await dropDatabase(scratch);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
