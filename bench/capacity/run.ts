// npm run bench:capacity — what one live session costs each part of the system, measured on the
// whole stack over BENCH_SECONDS (60) of a recorded 720p30 broadcast, for `standard` and `low`:
//   CPU of the worker (its ffmpeg ladder included), the ingest and the API; S3 PUTs/s and bytes/s;
//   Postgres rows written/s and transactions/s; Redis commands/s. docs/scaling.md turns these into
//   the capacity model for 1,000 and 10,000 concurrent broadcasts.
// Then memory: resident set of each process at idle and with BENCH_STREAMS (10) live 720p30 streams
// (default 4-rung ladder, recorded; the encoders copy a pre-encoded file so they cost next to nothing).
import pg from 'pg';
import { Redis } from 'ioredis';
import { startEncoder, startStack, waitFor } from '../../test/e2e/stack.js';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { treeCpuSeconds, treeRssMb } from '../proc-stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 10);
const stack = await startStack('bench-capacity.test.ts', { WORKER_CONCURRENCY: String(STREAMS + 2) });
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

  // Memory: every process at idle, then with STREAMS live streams.
  const memory = () => {
    const worker = treeRssMb(stack.workers[0]!.child.pid!);
    const ingest = treeRssMb(stack.ingest.child.pid!);
    return { api: process.memoryUsage().rss / 1e6, ingest: ingest.self, worker: worker.self, ffmpeg: worker.descendants.filter((mb) => mb > 20) };
  };
  const mb = (n: number) => `${n.toFixed(0)} MB`;
  const idle = memory();
  rows.push(`\nmemory (resident set), idle: api ${mb(idle.api)} (the bench process, which hosts it), ingest ${mb(idle.ingest)}, worker ${mb(idle.worker)}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airwave-capacity-'));
  const file = path.join(dir, 'source.flv');
  await new Promise((r) => spawn('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-b:v', '3000k', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', file]).once('exit', r));
  const streams = await Promise.all(Array.from({ length: STREAMS }, async (_, i) => (await stack.api.call('POST', '/v1/live-streams', { body: { name: `memory ${i}`, reconnectWindowSeconds: 0 } })).body));
  const encoders = streams.map((s) => spawn('ffmpeg', ['-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', s.ingestUrl], { stdio: 'ignore' }));
  try {
    await waitFor(async () => (await Promise.all(streams.map(async (s) => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status))).every((st) => st === 'active'), 120_000, 'all active');
    await new Promise((r) => setTimeout(r, 30_000));
    const live = memory();
    const speeds = await Promise.all(streams.map(async (s) => (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0]?.transcode?.speed as number | undefined));
    const known = speeds.filter((x): x is number => typeof x === 'number');
    const ffmpegTotal = live.ffmpeg.reduce((a, b) => a + b, 0);
    rows.push(
      `memory, ${STREAMS} live streams (after 30 s): api ${mb(live.api)}, ingest ${mb(live.ingest)}, worker ${mb(live.worker)} + ${live.ffmpeg.length} ffmpeg ladders ${mb(ffmpegTotal)} ` +
        `(${mb(ffmpegTotal / Math.max(1, live.ffmpeg.length))} each); ladder speed ${known.length ? `${Math.min(...known).toFixed(2)}–${Math.max(...known).toFixed(2)}x` : 'unknown'}`,
    );
  } finally {
    for (const e of encoders) e.kill('SIGINT');
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await db.end();
  redis.disconnect();
  await stack.close();
}
console.log(`\nper live session, over ${SECONDS} s (encoder: 720p30 H.264 3 Mbps + AAC, keyframe every 1 s; recorded; ${process.arch}, ${(await import('node:os')).cpus().length} cores):\n${rows.join('\n')}\n`);
process.exit(0);
