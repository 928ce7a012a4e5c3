import type { PoolConfig } from 'pg';

export interface DatabaseTarget {
  /** Discrete pg settings (not a connectionString: pg lets a connectionString override `database`,
   *  which would point Prisma's shadow database back at the real one). */
  pool: PoolConfig;
  /** Postgres schema that holds Airwave's tables (`?schema=` in DATABASE_URL, default `public`). */
  schema: string;
}

/** Parses a postgres:// URL the way Prisma users expect, including `?schema=`. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must be a postgres:// URL, got ${u.protocol}`);
  }
  const schema = u.searchParams.get('schema') ?? 'public';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name in DATABASE_URL: ${schema}`);
  const sslmode = u.searchParams.get('sslmode');
  return {
    schema,
    pool: {
      host: decodeURIComponent(u.hostname) || u.searchParams.get('host') || '127.0.0.1',
      port: u.port ? Number(u.port) : 5432,
      user: decodeURIComponent(u.username) || 'postgres',
      password: u.password ? decodeURIComponent(u.password) : undefined,
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
      ssl: sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' } : undefined,
      // Unqualified SQL (raw queries, migrations) lands in the same schema as Prisma's own queries.
      options: `-c search_path="${schema}"`,
    },
  };
}

/** Same URL with another schema: each test file gets its own. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}
