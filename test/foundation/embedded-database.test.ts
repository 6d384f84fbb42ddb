import { openDatabase, type Database } from '../../src/db';
import { loadMigrations } from '../../src/db/migrations';

// The embedded database (PGlite behind a local socket) must survive a failing statement like a real server.
let db: Database;
beforeAll(async () => {
  db = await openDatabase({ url: undefined, dataDir: undefined });
});
afterAll(() => db.close());

it('answers the next query normally after a statement fails outside a transaction', async () => {
  for (const failing of ['SELECT 1/0', "INSERT INTO reservations (id) VALUES ('x')"]) {
    await expect(db.prisma.$executeRawUnsafe(failing)).rejects.toThrow();
    await expect(db.prisma.$queryRawUnsafe('SELECT 1 AS ok')).resolves.toEqual([{ ok: 1 }]);
  }
});

it('is migrated at start, with every committed migration', async () => {
  const rows = await db.prisma.$queryRawUnsafe<Array<{ migration_name: string }>>(
    'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name',
  );
  expect(rows.map((r) => r.migration_name)).toEqual(loadMigrations().map((m) => m.name));
  expect(rows[0].migration_name).toMatch(/_init$/);
});
