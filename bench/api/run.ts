// npm run bench:api — starts the API on a scratch schema of the local Postgres (or DATABASE_URL) and
// Redis, drives it with autocannon on the same machine and prints req/s and latency: once as one
// process, then as one process per core (cluster.ts). BENCH_CPU_PROF=<dir> writes a V8 CPU profile
// of the single process (open it in Chrome DevTools; docs/control-plane.md says what it showed).
// Targets on the 2-core dev machine (issue 15): authorize p99 ≤ 10 ms at 1,000 req/s offered;
// create ≥ 1,000 req/s; list of 100 ≥ 500 req/s; get by id ≥ 3,000 req/s.
import autocannon from 'autocannon';
import { createProjectWithKey } from '@airwave/core';
import os from 'node:os';
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
const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const profileDir = process.env.BENCH_CPU_PROF;
const rows: string[][] = [];

/** BENCH_ONLY=get,list,create,authorize runs (and profiles) only those. */
const only = process.env.BENCH_ONLY?.split(',');
const keys: Record<string, string> = { 'POST /v1/live-streams': 'create', 'GET /v1/live-streams?limit=100': 'list', 'GET /v1/live-streams/:id': 'get' };

async function run(setup: string, title: string, opts: autocannon.Options) {
  if (only && !only.includes(keys[title.trim()] ?? 'authorize')) return;
  const r = await autocannon({ connections: 50, duration: seconds, ...opts });
  const errors = r.non2xx + r.errors + r.timeouts;
  rows.push([setup, title, r.requests.average.toFixed(0), `${r.latency.p50} ms`, `${r.latency.p99} ms`, String(errors)]);
}

async function round(setup: string, entry: string, nodeArgs: string[]) {
  const api = startApp('api', entry, {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: schema,
    API_PORT: String(port),
    INTERNAL_TOKEN: internalToken,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000000',
  }, undefined, nodeArgs);
  for (let i = 0; i < 100 && !(await fetch(`${base}/readyz`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
  // Warm-up: JIT, connection pools, key cache.
  await autocannon({ url: `${base}/v1/live-streams?limit=10`, headers: auth, connections: 10, duration: 2 });

  await run(setup, 'POST /v1/live-streams', { url: `${base}/v1/live-streams`, method: 'POST', headers: auth, body: JSON.stringify({ name: 'bench' }) });
  // Skipped creates (BENCH_ONLY) still leave a page of 100 to list, get and authorize.
  while ((await db.liveStream.count()) < 100) await fetch(`${base}/v1/live-streams`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'bench' }) });
  // Production tables have planner statistics; a freshly filled scratch schema does not yet.
  await db.$executeRawUnsafe('ANALYZE');
  await run(setup, 'GET /v1/live-streams?limit=100', { url: `${base}/v1/live-streams?limit=100`, headers: auth });
  const page = (await fetch(`${base}/v1/live-streams?limit=100`, { headers: auth }).then((r) => r.json())) as { data: { id: string; streamKey: string }[] };
  await run(setup, 'GET /v1/live-streams/:id', { url: `${base}/v1/live-streams/${page.data[50]!.id}`, headers: auth });

  // Authorize: every stream key of that page, in turn. The first pass claims streams (a write each:
  // session, state change, events, outbox), later passes are refused as already live.
  const pool = page.data.map((s) => s.streamKey);
  let next = 0;
  const authorize = (title: string, keys = pool) =>
    run(setup, title, {
      url: `${base}/internal/ingest/authorize`,
      method: 'POST',
      overallRate: 1000,
      headers: { authorization: `Bearer ${internalToken}`, 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ streamKey: keys[next++ % keys.length], ingestNodeId: 'bench', ingestAddress: 'rtmp://127.0.0.1:1935/live' }),
          }),
        },
      ],
    });
  await authorize('POST /internal/ingest/authorize @1000/s');
  // The same once every stream is live: refusals only (an encoder fleet retrying).
  await authorize('  the same, all refused (already live)');
  // Encoders with wrong keys retrying (the refusal is remembered: no query).
  await authorize('  1,000 wrong keys (unknown)', Array.from({ length: 1000 }, (_, i) => `aw_live_wrong${String(i).padStart(27, '0')}`));
  await stopApps([api]);
  // The next round starts from streams that are not live.
  await db.$executeRawUnsafe(`UPDATE "LiveStream" SET status = 'idle', "currentSessionId" = NULL`);
}

const cores = os.availableParallelism();
await round('1 process', 'apps/api/src/server.ts', profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []);
if (process.env.BENCH_SINGLE !== '1') await round(`${cores} processes`, 'bench/api/cluster.ts', []);

await env.cleanup();

const header = ['API', 'endpoint', 'req/s', 'p50', 'p99', 'non-2xx/errors'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
console.log(`(${seconds}s per endpoint, 50 connections, autocannon on the same ${cores}-core machine, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'local Postgres'}, node ${process.version})`);
process.exit(0);
