import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';
import { parseDatabaseUrl } from './connection.js';

export type Db = PrismaClient;

export interface CreateDbOptions {
  /** Pool size; Postgres work per request is short, so a handful is enough per process. */
  max?: number;
}

export function createDb(databaseUrl: string, opts: CreateDbOptions = {}): Db {
  const { pool, schema } = parseDatabaseUrl(databaseUrl);
  const adapter = new PrismaPg({ ...pool, max: opts.max ?? 10 }, { schema });
  return new PrismaClient({ adapter });
}
