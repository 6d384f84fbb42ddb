/** `npm run schema:emit`: writes schema.graphql from the code (`-- --check` fails instead when it differs). */
import fs from 'node:fs';
import path from 'node:path';
import { buildAppSchema, printAppSchema } from '../src/schema';

async function main() {
  const file = path.join(__dirname, '..', 'schema.graphql');
  const text = printAppSchema(await buildAppSchema());
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (committed !== text) {
      console.error('schema.graphql differs from the schema the code builds: run `npm run schema:emit` and commit it.');
      process.exit(1);
    }
    console.log('schema.graphql is current');
    return;
  }
  fs.writeFileSync(file, text);
  console.log('wrote schema.graphql');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
