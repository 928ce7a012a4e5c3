// npm run bench:api — starts the API as its own process on a scratch schema of the local Postgres
// (or DATABASE_URL) and Redis, then drives it with autocannon and prints req/s and latency.
// Targets on the 2-core dev machine: authorize p99 ≤ 10 ms at 1,000 req/s; create ≥ 1,000 req/s.
import autocannon from 'autocannon';
import { createProjectWithKey } from '@airwave/core';
import { createTestEnv } from '@airwave/testing';
import { startApp, stopApps } from '../../scripts/up/apps.js';
import { firstFreePort } from '../../scripts/up/net.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
// A migrated scratch schema (and Redis prefix) of its own, on DATABASE_URL's server or the local one.
const env = await createTestEnv('bench-api', process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {});
const { databaseUrl } = env.config;
const schema = env.name;
const db = env.db;
const internalToken = 'bench-internal-token-000000000';
const port = await firstFreePort(3900);
const base = `http://127.0.0.1:${port}`;

const { apiKey } = await createProjectWithKey(db, 'bench');
const api = startApp('api', 'apps/api/src/server.ts', {
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_PREFIX: schema,
  API_PORT: String(port),
  INTERNAL_TOKEN: internalToken,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '100000000',
});
for (let i = 0; i < 100 && !(await fetch(`${base}/readyz`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));

const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const rows: string[][] = [];

async function run(title: string, opts: autocannon.Options) {
  const r = await autocannon({ connections: 50, duration: seconds, ...opts });
  const errors = r.non2xx + r.errors + r.timeouts;
  rows.push([title, r.requests.average.toFixed(0), `${r.latency.p50} ms`, `${r.latency.p99} ms`, String(errors)]);
}

// Warm-up: JIT, connection pools, key cache.
await autocannon({ url: `${base}/v1/live-streams?limit=10`, headers: auth, connections: 10, duration: 2 });

await run('POST /v1/live-streams', { url: `${base}/v1/live-streams`, method: 'POST', headers: auth, body: JSON.stringify({ name: 'bench' }) });
// Production tables have planner statistics; a freshly filled scratch schema does not yet.
await db.$executeRawUnsafe('ANALYZE');
await run('GET /v1/live-streams?limit=100', { url: `${base}/v1/live-streams?limit=100`, headers: auth });

// Authorize: every stream key created above, in turn. The first pass claims streams (a write each),
// later passes are refused as already live: the mix an ingest fleet sends.
const keys = (await fetch(`${base}/v1/live-streams?limit=100`, { headers: auth }).then((r) => r.json())) as { data: { streamKey: string }[] };
const pool = keys.data.map((s) => s.streamKey);
let next = 0;
await run('POST /internal/ingest/authorize @1000/s', {
  url: `${base}/internal/ingest/authorize`,
  method: 'POST',
  overallRate: 1000,
  headers: { authorization: `Bearer ${internalToken}`, 'content-type': 'application/json' },
  requests: [
    {
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ streamKey: pool[next++ % pool.length], ingestNodeId: 'bench', ingestAddress: 'rtmp://127.0.0.1:1935/live' }),
      }),
    },
  ],
});

await stopApps([api]);
await env.cleanup();

const header = ['endpoint', 'req/s', 'p50', 'p99', 'non-2xx/errors'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
console.log(`(${seconds}s per endpoint, 50 connections, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'local Postgres'}, node ${process.version})`);
process.exit(0);
