// npm run bench:capacity — what one live session costs each part of the system, measured on the
// whole stack over BENCH_SECONDS (60) of a recorded 720p30 broadcast, for `standard` and `low`:
//   CPU of the worker (its ffmpeg ladder included), the ingest and the API; S3 PUTs/s and bytes/s;
//   Postgres rows written/s and transactions/s; Redis commands/s. docs/scaling.md turns these into
//   the capacity model for 1,000 and 10,000 concurrent broadcasts.
import pg from 'pg';
import { Redis } from 'ioredis';
import { startEncoder, startStack, waitFor } from '../../test/e2e/stack.js';
import { treeCpuSeconds } from '../proc-stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const stack = await startStack('bench-capacity.test.ts');
const db = new pg.Client({ connectionString: stack.api.env.config.databaseUrl.replace(/\?.*$/, '') });
await db.connect();
const redis = new Redis(stack.api.env.config.redis.url);
let puts = 0;
let bytes = 0;
stack.storage.onObjectCreated((_key, size) => {
  puts++;
  bytes += size;
});

async function snapshot() {
  const row = (await db.query('SELECT xact_commit, tup_inserted + tup_updated + tup_deleted AS rows FROM pg_stat_database WHERE datname = current_database()')).rows[0];
  const info = await redis.info('stats');
  return {
    at: Date.now(),
    puts,
    bytes,
    xacts: Number(row.xact_commit),
    rows: Number(row.rows),
    redis: Number(/total_commands_processed:(\d+)/.exec(info)![1]),
    worker: treeCpuSeconds(stack.workers[0]!.child.pid!),
    ingest: treeCpuSeconds(stack.ingest.child.pid!),
    api: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  };
}

const rows: string[] = [];
try {
  const idleBefore = await snapshot();
  await new Promise((r) => setTimeout(r, 10_000));
  const idleAfter = await snapshot();
  const idleSeconds = (idleAfter.at - idleBefore.at) / 1000;
  const idleRedis = (idleAfter.redis - idleBefore.redis) / idleSeconds;
  const idleXacts = (idleAfter.xacts - idleBefore.xacts) / idleSeconds;
  rows.push(`idle stack (no broadcast): Redis ${idleRedis.toFixed(1)} commands/s, Postgres ${idleXacts.toFixed(1)} transactions/s (queue polling, sweepers, pg_stat itself)`);

  for (const latencyMode of ['standard', 'low'] as const) {
    const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: `capacity ${latencyMode}`, latencyMode, reconnectWindowSeconds: 0 } })).body;
    const enc = startEncoder(s.ingestUrl, { seconds: SECONDS + 60, size: '1280x720', videoCodec: ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-b:v', '3000k', '-maxrate', '3000k', '-bufsize', '3000k', '-pix_fmt', 'yuv420p'] });
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'active', 60_000, 'active');
    await new Promise((r) => setTimeout(r, 5000)); // past the start-up burst
    const a = await snapshot();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const b = await snapshot();
    const t = (b.at - a.at) / 1000;
    const session = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
    await enc.stop();
    rows.push(
      `${latencyMode.padEnd(8)} (${session.transcodePath} path, ${session.transcode?.renditions?.length ?? '?'} renditions): ` +
        `worker ${((b.worker - a.worker) / t).toFixed(2)} CPU, ingest ${((b.ingest - a.ingest) / t).toFixed(3)} CPU, api ${((b.api - a.api) / t).toFixed(3)} CPU; ` +
        `S3 ${((b.puts - a.puts) / t).toFixed(2)} PUT/s, ${((b.bytes - a.bytes) / t / 1e6).toFixed(2)} MB/s; ` +
        `Postgres ${((b.rows - a.rows) / t).toFixed(2)} rows/s, ${((b.xacts - a.xacts) / t - idleXacts).toFixed(2)} xact/s; ` +
        `Redis ${((b.redis - a.redis) / t - idleRedis).toFixed(1)} commands/s (above idle)`,
    );
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'idle', 30_000, 'idle');
  }
} finally {
  await db.end();
  redis.disconnect();
  await stack.close();
}
console.log(`\nper live session, over ${SECONDS} s (encoder: 720p30 H.264 3 Mbps + AAC, keyframe every 1 s; recorded; ${process.arch}, ${(await import('node:os')).cpus().length} cores):\n${rows.join('\n')}\n`);
process.exit(0);
