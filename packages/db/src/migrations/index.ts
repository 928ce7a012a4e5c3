import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { parseDatabaseUrl, withSchema } from '../connection.js';
import { readMigrations, readSchema, writeMigration } from './files.js';
import { withSchemaEngine, type EngineSchema } from './wasm-engine.js';

const noFilter = { externalTables: [], externalEnums: [] };

async function onDatabase(databaseUrl: string, sql: (schema: string) => string): Promise<void> {
  const { pool, schema } = parseDatabaseUrl(databaseUrl);
  const client = new pg.Client({ ...pool, options: undefined });
  await client.connect();
  try {
    await client.query(sql(schema));
  } finally {
    await client.end();
  }
}

const ensureSchemaExists = (url: string) => onDatabase(url, (s) => `CREATE SCHEMA IF NOT EXISTS "${s}"`);
/** Drops a schema and everything in it (test schemas, the drift check's scratch schema). */
export const dropSchema = (url: string) => onDatabase(url, (s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE`);

/** `prisma migrate deploy`: applies every committed migration not yet in `_prisma_migrations`. */
export async function deployMigrations(databaseUrl: string): Promise<string[]> {
  await ensureSchemaExists(databaseUrl);
  const [schema, migrationsList] = await Promise.all([readSchema(), readMigrations()]);
  return withSchemaEngine(databaseUrl, schema, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: noFilter });
    return out.appliedMigrationNames;
  });
}

/**
 * The SQL that would take the committed migrations to `schema.prisma`; empty when they agree.
 * Prisma would replay the migrations into a shadow *database*; the wasm engine can only do that
 * through an adapter hook that does not work for Postgres yet, so we replay them into a throw-away
 * *schema* of the same database instead and diff that against the datamodel.
 */
export async function migrationDrift(databaseUrl: string, target?: EngineSchema): Promise<string> {
  const shadowUrl = withSchema(databaseUrl, `_airwave_shadow_${randomBytes(6).toString('hex')}`);
  try {
    await deployMigrations(shadowUrl);
    const schema = target ?? (await readSchema());
    return await withSchemaEngine(shadowUrl, schema, async (engine) => {
      const out = await engine.diff({
        from: { tag: 'schemaDatasource', files: [schema], configDir: path.dirname(schema.path) },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: true,
        filters: noFilter,
      });
      return out.exitCode === 2 ? (out.stdout ?? '') : '';
    });
  } finally {
    await dropSchema(shadowUrl);
  }
}

/** `prisma migrate dev --create-only`: writes the next migration (not applied) and returns its folder. */
export async function createMigration(databaseUrl: string, name: string): Promise<string | null> {
  const sql = await migrationDrift(databaseUrl);
  if (!sql) return null;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  return writeMigration(`${stamp}_${name}`, sql);
}
