export { createDb, type Db, type CreateDbOptions } from './client.js';
export { parseDatabaseUrl, withSchema } from './connection.js';
export { isDatabaseUnavailable } from './unavailable.js';
export { Prisma } from './generated/client.js';
export type * from './generated/client.js';
export * from './generated/enums.js';

/** What a `$transaction(async (tx) => …)` callback receives. */
export type Tx = Parameters<Parameters<import('./client.js').Db['$transaction']>[0]>[0];
