/**
 * `npm run migrate:check`: fails when the committed migrations do not produce exactly
 * the schema in prisma/schema.prisma. Applies them to a scratch database and asks
 * Prisma's WebAssembly schema engine for the difference (CI's migration drift check).
 */
import { sqlFromMigrationsToSchema } from './lib/migration-diff';

async function main() {
  const missing = await sqlFromMigrationsToSchema('migrate_check');
  if (missing) {
    console.error('Migration drift: the migrations do not produce prisma/schema.prisma. Missing SQL:\n');
    console.error(missing);
    console.error('Run `npm run migrate:create -- <name>` and commit the new migration.');
    process.exitCode = 1;
    return;
  }
  console.log('migrations match prisma/schema.prisma');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
