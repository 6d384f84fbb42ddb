// Prisma 7 reads its datasource URL from here, never from schema.prisma or .env.
// `prisma generate` needs no database, so a placeholder stands in when
// DATABASE_URL is unset (env() would throw).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://placeholder@127.0.0.1:5432/placeholder' },
});
