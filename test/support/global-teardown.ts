import { dropDatabase } from '../../scripts/lib/scratch-database';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.TEST_TEMPLATE_DATABASE_URL;
  if (template) await dropDatabase(template);
}
