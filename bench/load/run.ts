// npm run bench:load [publishers|api|pages] — load figures on the whole stack (real processes):
//   publishers: LOAD_PUBLISHERS (50) encoders on one ingest node at once, renditions limited to the
//     240p rung (copied: no transcode), CPU and RSS of the ingest per stream, and how many stayed live.
//   api: ~1,000 req/s of mixed API traffic (list, get, create, sessions, viewer status) while 10
//     streams publish; latency percentiles.
//   pages: 1,000 streams created, then listed 100 at a time: every id exactly once, p99 per page.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEncoder, startStack, waitFor, type Stack } from '../../test/e2e/stack.js';
import { procStat } from '../proc-stats.js';

const which = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['publishers', 'api', 'pages']);
const report: string[] = [];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

/** A 10 s 426x240 H.264/AAC clip pushed in a loop with -c copy: a publisher that costs almost nothing. */
function makeClip(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'airwave-load-')), 'clip.flv');
  spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=30', '-f', 'lavfi', '-i', 'sine', '-t', '10', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '30', '-b:v', '400k', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-y', file]);
  return file;
}

function pushClip(file: string, url: string): ChildProcess {
  const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', url], { stdio: 'ignore' });
  return child;
}

async function autocannonProcess(name: string, args: string[]) {
  const child = spawn(process.execPath, [path.join('node_modules', 'autocannon', 'autocannon.js'), '-j', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  await new Promise((r) => child.once('exit', r));
  const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number; timeouts: number };
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts };
}

async function newStreams(stack: Stack, n: number, body: Record<string, unknown>) {
  const out: { id: string; streamKey: string; ingestUrl: string; playbackId: string }[] = [];
  for (let i = 0; i < n; i++) out.push((await stack.api.call('POST', '/v1/live-streams', { body: { name: `load ${i}`, ...body } })).body);
  return out;
}

if (which.has('publishers')) {
  const n = Number(process.env.LOAD_PUBLISHERS ?? 50);
  const stack = await startStack('bench-load-publishers.test.ts', { WORKER_CONCURRENCY: String(n + 5), RATE_LIMIT_MAX: '1000000' });
  const clip = makeClip();
  const pushers: ChildProcess[] = [];
  try {
    const streams = await newStreams(stack, n, { renditions: ['240p'], latencyMode: 'standard', record: false, reconnectWindowSeconds: 0 });
    const idle = procStat(stack.ingest.child.pid!);
    for (const s of streams) {
      pushers.push(pushClip(clip, s.ingestUrl));
      await new Promise((r) => setTimeout(r, 300)); // encoders connect over 15 s, as a fleet would
    }
    const live = async () => (await Promise.all(streams.map(async (s) => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status as string))).filter((st) => st === 'active').length;
    await waitFor(async () => (await live()) === n, 120_000, `all ${n} active`).catch(() => undefined);
    const a = procStat(stack.ingest.child.pid!);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 30_000));
    const b = procStat(stack.ingest.child.pid!);
    const seconds = (Date.now() - t0) / 1000;
    const activeAtEnd = await live();
    if (process.env.LOAD_DEBUG) {
      console.log((await Promise.all(streams.map(async (s) => (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0]))).map((x) => `${x?.status} ${x?.error} ${x?.transcodePath}`).join('\n'));
      const reasons = new Map<string, number>();
      for (const l of stack.logs.filter((x) => /"level":[45]0/.test(x))) {
        const m = /"msg":"([^"]+)"/.exec(l)?.[1] ?? l.slice(0, 80);
        const r = /"reason":"([^"]{0,60})/.exec(l)?.[1] ?? /"err":"([^"]{0,60})/.exec(l)?.[1] ?? '';
        reasons.set(`${m} ${r}`, (reasons.get(`${m} ${r}`) ?? 0) + 1);
      }
      console.log([...reasons].map(([k, v]) => `${v} × ${k}`).join('\n'));
    }
    const exited = pushers.filter((p) => p.exitCode !== null).length;
    report.push(
      `publishers: ${n} on one ingest node (240p copied, no transcode): ${activeAtEnd}/${n} active after 30 s, ${exited} encoders dropped; ` +
        `ingest ${(((b.cpu - a.cpu) / seconds) * 100).toFixed(1)} % of a core in all = ${((((b.cpu - a.cpu) / seconds) * 100) / n).toFixed(2)} % per stream; ` +
        `RSS ${b.rssMb.toFixed(0)} MB (${((b.rssMb - idle.rssMb) / n).toFixed(1)} MB per stream above idle ${idle.rssMb.toFixed(0)} MB)`,
    );
  } finally {
    for (const p of pushers) p.kill('SIGKILL');
    await stack.close();
  }
}

if (which.has('api')) {
  const stack = await startStack('bench-load-api.test.ts', { RATE_LIMIT_MAX: '100000000' });
  const encoders: ReturnType<typeof startEncoder>[] = [];
  try {
    const live = await newStreams(stack, 10, { renditions: ['240p'], latencyMode: 'low', record: false, reconnectWindowSeconds: 0 });
    for (const s of live) encoders.push(startEncoder(s.ingestUrl, { size: '426x240', seconds: 120 }));
    await waitFor(async () => (await Promise.all(live.map(async (s) => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status))).every((st) => st === 'active'), 90_000, '10 live').catch(() => undefined);
    const headers = { authorization: `Bearer ${stack.api.apiKey}`, 'content-type': 'application/json' };
    const s0 = live[0]!;
    // Five autocannon processes, 200 req/s each: the load generator does not share the API's event
    // loop, and each kind of request gets its own percentiles.
    const kinds: [string, string[]][] = [
      ['list', [`${stack.apiUrl}/v1/live-streams?limit=25`]],
      ['get', [`${stack.apiUrl}/v1/live-streams/${s0.id}`]],
      ['sessions', [`${stack.apiUrl}/v1/live-streams/${s0.id}/sessions`]],
      ['viewer status', [`${stack.apiUrl}/play/${s0.playbackId}/status`]],
      ['create', ['-m', 'POST', '-b', JSON.stringify({ name: 'load' }), `${stack.apiUrl}/v1/live-streams`]],
    ];
    const results = await Promise.all(kinds.map(([name, target]) => autocannonProcess(name, ['-c', '10', '-d', '20', '-R', '200', '-H', `authorization=${headers.authorization}`, '-H', 'content-type=application/json', ...target])));
    const total = results.reduce((n, r) => n + r.rps, 0);
    report.push(
      `api: ${total.toFixed(0)} req/s mixed (offered 1,000/s: 200/s each of list, get, sessions, viewer status, create) while 10 streams publish; ` +
        results.map((r) => `${r.name} p50 ${r.p50} ms p99 ${r.p99} ms`).join(', ') +
        `; errors ${results.reduce((n, r) => n + r.errors, 0)}`,
    );
  } finally {
    for (const e of encoders) await e.stop();
    await stack.close();
  }
}

if (which.has('pages')) {
  const stack = await startStack('bench-load-pages.test.ts', { RATE_LIMIT_MAX: '100000000' });
  try {
    const created = new Set<string>();
    const createMs: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t = performance.now();
      created.add((await stack.api.call('POST', '/v1/live-streams', { body: { name: `page ${i}` } })).body.id);
      createMs.push(performance.now() - t);
    }
    await stack.api.env.db.$executeRawUnsafe('ANALYZE');
    const seen: string[] = [];
    const pageMs: number[] = [];
    let cursor: string | null = null;
    do {
      const t = performance.now();
      const page: { data: { id: string }[]; nextCursor: string | null } = (await stack.api.call('GET', `/v1/live-streams?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
      pageMs.push(performance.now() - t);
      seen.push(...page.data.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    const exact = seen.length === created.size && new Set(seen).size === seen.length && seen.every((id) => created.has(id));
    report.push(
      `pages: 1,000 streams created (p50 ${pct(createMs, 0.5).toFixed(1)} ms, p99 ${pct(createMs, 0.99).toFixed(1)} ms each, sequential); listed in ${pageMs.length} pages of 100: ` +
        `${exact ? 'every id exactly once' : 'MISMATCH'}; page latency first ${pageMs[0]!.toFixed(1)} ms, last ${pageMs.at(-1)!.toFixed(1)} ms, p99 ${pct(pageMs, 0.99).toFixed(1)} ms`,
    );
  } finally {
    await stack.close();
  }
}

console.log(`\n${report.join('\n')}\n(${os.cpus().length} cores; API in-process with the bench, ingest and worker as child processes, local Postgres and Redis)\n`);
process.exit(0);
