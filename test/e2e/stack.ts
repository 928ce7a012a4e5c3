// The whole product for an end-to-end test: the API in-process on a real port, the ingest and the
// worker as real child processes, a real S3 API as storage and CDN, and ffmpeg as the encoder.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decryptSecret } from '@airwave/core';
import HLS from 'hls-parser';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startTestStorage } from '@airwave/testing';
import { startApp, stopApps, type AppProcess } from '../../scripts/up/apps.js';
import { ephemeralPort } from '../../scripts/up/net.js';
import { ensureSelfSignedCert } from '../../scripts/up/tls.js';
import { startApi, type TestApi } from '../../apps/api/test/helpers.js';
import { listenInternal } from '../../apps/api/src/plugins/app/internal-listener.js';

export interface Stack {
  api: TestApi;
  apiUrl: string;
  rtmpPort: number;
  rtmpsPort: number;
  srtPort: number;
  storage: Awaited<ReturnType<typeof startTestStorage>>;
  logs: string[];
  childEnv: NodeJS.ProcessEnv;
  ingest: AppProcess;
  workers: AppProcess[];
  startWorker(): AppProcess;
  /** Another ingest node on its own port (and node id), with env overrides. */
  startIngest(port: number, env?: Record<string, string>): Promise<AppProcess>;
  /** A WebRTC edge (apps/edge) on its own port; resolves once it has registered. */
  startEdge(env?: Record<string, string>): Promise<{ app: AppProcess; url: string }>;
  close(): Promise<void>;
}

export async function startStack(testFile: string, env: Record<string, string> = {}): Promise<Stack> {
  const storage = await startTestStorage();
  const [rtmpPort, rtmpsPort, srtPort, apiPort, internalPort, whipPort] = [await ephemeralPort(), await ephemeralPort(), await ephemeralPort(), await ephemeralPort(), await ephemeralPort(), await ephemeralPort()];
  const tlsDir = path.join(os.tmpdir(), `airwave-test-tls-${process.pid}-${rtmpsPort}`);
  const tls = await ensureSelfSignedCert(tlsDir);
  // Known before the API starts: it is also the CDN (the playback edge at /cdn) players are sent to.
  const apiEnv = { ...storage.env, API_PORT: String(apiPort), API_INTERNAL_PORT: String(internalPort), API_PUBLIC_URL: `http://127.0.0.1:${apiPort}`, INGEST_RTMP_PORT: String(rtmpPort), INGEST_RTMPS_PORT: String(rtmpsPort), INGEST_SRT_PORT: String(srtPort), INGEST_WHIP_PORT: String(whipPort), INGEST_PUBLIC_HOST: '127.0.0.1', INGEST_TLS_CERT_FILE: tls.certFile, INGEST_TLS_KEY_FILE: tls.keyFile, ...env };
  const api = await startApi(testFile, apiEnv);
  const address = await api.app.listen({ port: apiPort, host: '127.0.0.1' });
  // Ingest nodes reach the internal endpoints on their own listener, as in production.
  const internalServer = await listenInternal(api.app, '127.0.0.1', internalPort);
  const { config } = api.env;
  const logs: string[] = [];
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...apiEnv,
    REDIS_URL: config.redis.url,
    REDIS_PREFIX: config.redis.prefix,
    INTERNAL_TOKEN: config.internalToken,
    API_INTERNAL_URL: `http://127.0.0.1:${internalPort}`,
    INGEST_RTMP_PORT: String(rtmpPort),
    INGEST_BIND: '127.0.0.1',
    INGEST_NODE_ID: `ingest-${rtmpPort}`,
    INGEST_PUBLIC_HOST: '127.0.0.1',
    WORKER_CONCURRENCY: '2',
    ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RETRY_BASE_MS: '200',
    LIVE_SEGMENT_RETENTION_SECONDS: '2',
    INGEST_DRAIN_SECONDS: '2',
    LOG_LEVEL: 'info',
    // Test files run side by side: every process serves /metrics on a free port (logged).
    METRICS_PORT: '0',
    // Simulcast tests push RTMPS to a destination with the stack's self-signed certificate.
    NODE_EXTRA_CA_CERTS: tls.certFile,
    // What the caller asked for wins over the defaults above (benches raise WORKER_CONCURRENCY)…
    ...env,
    // …but a database server of the caller's own still gets this file's schema on it.
    DATABASE_URL: config.databaseUrl,
  };
  const collect = (name: string) => (line: string) => logs.push(`${name}: ${line}`);
  const ingest = startApp('ingest', 'apps/ingest/src/main.ts', childEnv, collect('ingest'));
  const workers: AppProcess[] = [];
  const startWorker = () => {
    const w = startApp('worker', 'apps/worker/src/main.ts', childEnv, collect(`worker${workers.length}`));
    workers.push(w);
    return w;
  };
  startWorker();
  const extraIngests: AppProcess[] = [];
  const startIngest = async (port: number, overrides: Record<string, string> = {}) => {
    const name = `ingest-${port}`;
    const p = startApp(name, 'apps/ingest/src/main.ts', { ...childEnv, INGEST_RTMP_PORT: String(port), INGEST_NODE_ID: name, INGEST_INTERNAL_URL: `rtmp://127.0.0.1:${port}/live`, INGEST_TLS_CERT_FILE: '', INGEST_SRT_PORT: '0', INGEST_WHIP_PORT: '0', ...overrides }, collect(name));
    extraIngests.push(p);
    await waitFor(() => logs.some((l) => l.startsWith(`${name}:`) && l.includes('RTMP ingest listening')), 30_000, `${name} did not start`);
    return p;
  };
  const edges: AppProcess[] = [];
  const startEdge = async (overrides: Record<string, string> = {}) => {
    const port = await ephemeralPort();
    const url = `http://127.0.0.1:${port}`;
    const name = `edge-${port}`;
    const app = startApp(name, 'apps/edge/src/main.ts', { ...childEnv, EDGE_HOST: '127.0.0.1', EDGE_PORT: String(port), EDGE_PUBLIC_URL: url, EDGE_ID: name, ...overrides }, collect(name));
    edges.push(app);
    await waitFor(() => logs.some((l) => l.startsWith(`${name}:`) && l.includes('WebRTC edge listening')), 30_000, `${name} did not start`);
    return { app, url };
  };
  try {
    await waitFor(() => logs.some((l) => l.includes('RTMP ingest listening')), 30_000, 'ingest did not start');
    await waitFor(() => logs.some((l) => l.includes('worker started')), 30_000, 'worker did not start');
  } catch (err) {
    // Nothing outlives a stack that did not come up (its processes would go on running).
    await stopApps([ingest, ...workers], 2000);
    internalServer.close();
    await api.close();
    await storage.close();
    throw new Error(`${(err as Error).message}:\n${logs.slice(-20).join('\n')}`);
  }
  return {
    api,
    apiUrl: address,
    rtmpPort,
    rtmpsPort,
    srtPort,
    storage,
    logs,
    childEnv,
    ingest,
    workers,
    startWorker,
    startIngest,
    startEdge,
    async close() {
      await stopApps([ingest, ...extraIngests, ...workers, ...edges], 5000);
      internalServer.closeAllConnections();
      internalServer.close();
      await api.close();
      await storage.close();
      await rm(tlsDir, { recursive: true, force: true });
    },
  };
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls until `fn` returns something truthy, and returns it. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs: number, what: string): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Encoder {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
  stop(): Promise<void>;
}

/** ffmpeg pushing testsrc2 + sine over RTMP, in real time, like an encoder would. */
export function startEncoder(url: string, opts: { seconds?: number; size?: string; video?: boolean; audio?: boolean; videoCodec?: string[] } = {}): Encoder {
  const { seconds = 60, size = '1280x720', video = true, audio = true } = opts;
  const args = ['-hide_banner', '-loglevel', 'error', '-re'];
  if (video) args.push('-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`);
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(seconds));
  if (video) args.push(...(opts.videoCodec ?? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '60', '-pix_fmt', 'yuv420p']));
  if (audio) args.push('-c:a', 'aac', '-b:a', '96k');
  // SRT carries MPEG-TS; RTMP(S) carries FLV.
  args.push('-f', url.startsWith('srt://') ? 'mpegts' : 'flv', url);
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

/** Waits for a recording to be ready; answers it and the VOD media playlist of one rendition. */
export async function readyRecording(stack: Stack, assetId: string, rendition: string) {
  const asset = await waitFor(async () => {
    const a = (await stack.api.call('GET', `/v1/assets/${assetId}`)).body;
    return a.status === 'ready' && a;
  }, 60_000, 'recording ready');
  const vod = HLS.parse(await (await fetch(asset.playback.hlsUrl.replace('index.m3u8', `${rendition}/index.m3u8`))).text()) as HLS.types.MediaPlaylist;
  return { asset, vod };
}

/** One run, consecutive segment numbers, no discontinuity: nothing of the broadcast was dropped. */
export function expectUnbroken(vod: HLS.types.MediaPlaylist): void {
  const names = vod.segments.map((seg) => /([^/]+)_(\d+)\.(?:ts|m4s)$/.exec(seg.uri)!);
  expect(new Set(names.map((m) => m[1])).size).toBe(1);
  names.forEach((m, i) => expect(Number(m[2])).toBe(Number(names[0]![2]) + i));
  expect(vod.segments.some((seg) => seg.discontinuity)).toBe(false);
}

/** The newest complete segment of a media playlist (an LL-HLS playlist ends with the one being written: parts, no URI yet). */
export function lastSegment(p: HLS.types.MediaPlaylist): HLS.types.Segment | undefined {
  return p.segments.filter((s) => s.uri).at(-1);
}

/** ffprobe of a URL or file: streams with codec type, size. */
export async function probe(target: string): Promise<{ codec_type: string; codec_name: string; width?: number; height?: number }[]> {
  const child = spawn('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height', '-of', 'json', target]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  return (JSON.parse(out || '{"streams":[]}') as { streams: never[] }).streams;
}

/** The whole file decoded (every frame and audio packet): its duration, and ffmpeg's complaints if any. */
export async function decodeAll(target: string): Promise<{ seconds: number; errors: string }> {
  const child = spawn('ffmpeg', ['-v', 'error', '-stats', '-i', target, '-f', 'null', '-']);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise((r) => child.once('exit', r));
  const times = [...err.matchAll(/time=(\d+):(\d+):([\d.]+)/g)].map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
  return { seconds: times.at(-1) ?? 0, errors: err.split(/[\r\n]+/).filter((l) => l && !l.includes('time=')).join('\n') };
}

/** Starts the stack before this file's tests and stops it after; the object is filled in beforeAll. */
export function useStack(testFile: string, env: Record<string, string> = {}): Stack {
  const holder = {} as Stack;
  beforeAll(async () => {
    Object.assign(holder, await startStack(testFile, env));
  }, 90_000);
  beforeEach(({ onTestFailed }) => onTestFailed(() => keepLogs(testFile, holder.logs ?? [])));
  afterAll(async () => {
    if (!holder.close) return;
    try {
      // Every line the ingest nodes and workers logged during this file: never a whole key.
      const leaks = await linesWithSecrets(holder);
      expect(leaks, 'log lines carrying a whole stream or API key').toEqual([]);
    } finally {
      await holder.close();
    }
  });
  return holder;
}

/**
 * A failed test's evidence: the stack's whole log goes to <tmp>/airwave-<file>.log and its tail to
 * stderr, so a CI log (whose machine is gone afterwards) shows what the processes said.
 */
export function keepLogs(testFile: string, lines: string[]): void {
  const file = path.join(os.tmpdir(), `airwave-${path.basename(testFile).replace(/\.test\.ts$/, '')}.log`);
  writeFileSync(file, lines.join('\n'));
  process.stderr.write(`\n--- last ${Math.min(lines.length, 120)} of ${lines.length} log lines (all in ${file}) ---\n${lines.slice(-120).join('\n')}\n---\n`);
}

/** Log lines that contain a stream key of any stream of this stack, or its API key. */
export async function linesWithSecrets(stack: Stack): Promise<string[]> {
  const streams = await stack.api.env.db.liveStream.findMany({ select: { streamKeyEncrypted: true } });
  const secrets = [stack.api.apiKey, ...streams.map((s) => decryptSecret(s.streamKeyEncrypted, stack.api.env.config.encryptionKey))];
  return stack.logs.filter((line) => secrets.some((k) => line.includes(k)));
}
