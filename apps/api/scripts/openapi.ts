// Builds the public OpenAPI document from the route schemas, without touching any service.
import { loadConfig } from '@airwave/config';
import { createDb } from '@airwave/db';
import { Queues } from '@airwave/jobs';
import { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';

export async function renderOpenapi(): Promise<string> {
  // Defaults only, so the committed file does not depend on whoever generated it.
  const config = loadConfig({});
  const redis = new Redis({ lazyConnect: true });
  const db = createDb(config.databaseUrl);
  const app = await buildApp({ config, db, redis, queues: new Queues(redis, config.redis.prefix) });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  redis.disconnect();
  await db.$disconnect();
  return `${JSON.stringify(doc, null, 2)}\n`;
}
