// Test isolation: each test file gets its own Postgres schema (migrated with the real migrations)
// and its own Redis key prefix, so files run in parallel against the same servers.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig, type Config } from '@airwave/config';
import { createDb, withSchema, type Db } from '@airwave/db';
import { deployMigrations, dropSchema } from '@airwave/db/migrations';
import { createRedis } from '@airwave/jobs';
import pg from 'pg';

const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/airwave_test';

async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  u.pathname = '/postgres';
  u.search = '';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount)
      await client.query(`CREATE DATABASE "${name}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err; // created by a parallel file
      });
  } finally {
    await client.end();
  }
}

export interface TestEnv {
  name: string;
  config: Config;
  db: Db;
  cleanup(): Promise<void>;
}

/** A migrated schema + Redis prefix named after the test file, and a config pointing at both. */
export async function createTestEnv(testFile: string, env: Record<string, string> = {}): Promise<TestEnv> {
  const base = path
    .basename(testFile)
    .replace(/\.test\.ts$/, '')
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase();
  const name = `t_${base.slice(0, 40)}_${randomBytes(3).toString('hex')}`;
  // A test that stops its database brings a server of its own (env.DATABASE_URL).
  const server = env.DATABASE_URL ?? baseUrl;
  await ensureDatabase(server);
  const databaseUrl = withSchema(server, name);
  await deployMigrations(databaseUrl);
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: name,
    INTERNAL_TOKEN: 'test-internal-token-0123456789',
    ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RETRY_BASE_MS: '100',
    ...env,
    DATABASE_URL: databaseUrl,
  });
  const db = createDb(databaseUrl, { max: 5 });
  return {
    name,
    config,
    db,
    async cleanup() {
      await db.$disconnect();
      await dropSchema(databaseUrl);
      const redis = createRedis(config.redis.url, 'worker');
      const keys = await redis.keys(`${name}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
export { startTestStorage } from './storage.js';
