#!/usr/bin/env node
// Stands in for Prisma's native schema engine, which cannot be downloaded here.
// `prisma generate` only needs the file to exist; any native migrate/db command
// ends here and fails loudly instead of silently doing nothing.
process.stderr.write(
  'The native Prisma schema engine is not installed in this project.\n' +
    'Use `npm run migrate` (apply) and `npm run migrate:create -- <name>` (create) instead;\n' +
    'see README.md "Migrations".\n',
);
process.exit(1);
