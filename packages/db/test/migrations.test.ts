import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { migrationDrift } from '../src/migrations/index.js';

const url = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/airwave_test';

it('the committed migrations produce exactly the schema in schema.prisma', async () => {
  const missing = await migrationDrift(url);
  expect(missing, `run: npm run db:migration:create -- <name>\n${missing}`).toBe('');
});

it('notices a model that has no migration', async () => {
  const schemaPath = new URL('../../../prisma/schema.prisma', import.meta.url);
  const edited = `${await readFile(schemaPath, 'utf8')}\nmodel Unmigrated {\n  id String @id\n}\n`;
  const missing = await migrationDrift(url, { path: schemaPath.pathname, content: edited });
  expect(missing).toContain('CREATE TABLE "Unmigrated"');
});
