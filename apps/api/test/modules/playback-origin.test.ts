// The playback edge (/cdn) in front of a media origin that misbehaves: a body that aborts mid-read,
// an empty or cut-short playlist (a read racing the playlist's rewrite). Viewers get a 503 they retry,
// a cleanly ended response, or the last whole playlist; never a 500, a hang or an empty playlist.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CACHE_IMMUTABLE, CACHE_PLAYLIST, Storage } from '@airwave/storage';
import { startTestStorage } from '@airwave/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

type Fault = 'none' | 'reset-before-body' | 'reset-mid-body' | 'empty' | 'truncated';

let api: TestApi;
let storage: Awaited<ReturnType<typeof startTestStorage>>;
let s3: Storage;
let proxy: http.Server;
let edgeUrl: string;
/** What the origin does to the next GETs (the S3 API in front of the real one). */
let fault: Fault = 'none';
/** GETs the origin received, by path. */
const gets = new Map<string, number>();

beforeAll(async () => {
  storage = await startTestStorage();
  const upstream = new URL(storage.env.STORAGE_ENDPOINT);
  proxy = http.createServer((req, res) => {
    const out = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      if (req.method === 'GET') gets.set(req.url!, (gets.get(req.url!) ?? 0) + 1);
      const f = req.method === 'GET' ? fault : 'none';
      if (f === 'none') {
        res.writeHead(up.statusCode!, up.headers);
        return up.pipe(res);
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        const sent = f === 'empty' ? 0 : f === 'truncated' ? body.length >> 1 : body.length;
        res.writeHead(up.statusCode!, { ...up.headers, 'content-length': String(sent) });
        if (f === 'reset-before-body') return res.socket?.destroy();
        if (f === 'reset-mid-body') {
          res.write(body.subarray(0, body.length >> 1));
          return setTimeout(() => res.socket?.destroy(), 50);
        }
        // An object read while the store rewrites it: nothing yet, or only its first part.
        res.end(f === 'empty' ? Buffer.alloc(0) : body.subarray(0, body.length >> 1));
      });
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  api = await startApi(import.meta.filename, { ...storage.env, STORAGE_ENDPOINT: origin });
  edgeUrl = `${await api.app.listen({ port: 0, host: '127.0.0.1' })}/cdn`;
  s3 = new Storage(storage.env.STORAGE_BUCKET, {
    endpoint: storage.env.STORAGE_ENDPOINT,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
});
afterAll(async () => {
  fault = 'none';
  await api?.close();
  proxy?.close();
  await storage?.close();
});

const PLAYLIST = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:1.001,\nseg_0007.ts\n';
const SEGMENT = Buffer.alloc(188 * 2000, 0x47);

async function stream() {
  const s = (await api.call('POST', '/v1/live-streams', { body: { name: 'origin faults' } })).body;
  await s3.put(`live/${s.playbackId}/360p/index.m3u8`, PLAYLIST, CACHE_PLAYLIST);
  await s3.put(`live/${s.playbackId}/360p/seg_0007.ts`, SEGMENT, CACHE_IMMUTABLE);
  return s as { playbackId: string };
}

/** What a player gets: the status and the body, or how the body failed. */
async function fetchAll(url: string) {
  const started = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  const body = await res.arrayBuffer().then(
    (b) => Buffer.from(b),
    (err: Error) => err,
  );
  return { status: res.status, headers: res.headers, body, ms: Date.now() - started };
}

describe('the playback edge in front of a failing origin', () => {
  it('a segment whose body aborts before any byte → 503 with Retry-After, at once', async () => {
    const { playbackId } = await stream();
    fault = 'reset-before-body';
    const res = await fetchAll(`${edgeUrl}/live/${playbackId}/360p/seg_0007.ts`);
    fault = 'none';
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(JSON.parse((res.body as Buffer).toString()).error.code).toBe('service_unavailable');
    expect(res.ms).toBeLessThan(10_000);
  });

  it('a segment whose body aborts mid-read → a 503 or a response that ends short; the edge keeps serving', async () => {
    const { playbackId } = await stream();
    const url = `${edgeUrl}/live/${playbackId}/360p/seg_0007.ts`;
    fault = 'reset-mid-body';
    const broken = await fetchAll(url);
    fault = 'none';
    if (broken.status === 503) expect(broken.headers.get('retry-after')).toBe('1');
    else {
      expect(broken.status).toBe(200);
      // Never the whole segment and never an error page after the headers: the body ends short.
      expect(broken.body instanceof Error || (broken.body as Buffer).length < SEGMENT.length).toBe(true);
    }
    const ok = await fetchAll(url);
    expect(ok.status).toBe(200);
    expect((ok.body as Buffer).equals(SEGMENT)).toBe(true);
  });

  it('a playlist read empty or cut short is never served: the last whole copy is, or a 503', async () => {
    const { playbackId } = await stream();
    const url = `${edgeUrl}/live/${playbackId}/360p/index.m3u8`;
    // No whole copy seen yet: a 503 the player retries.
    fault = 'empty';
    const first = await fetchAll(url);
    expect(first.status).toBe(503);
    fault = 'none';
    const good = await fetchAll(url);
    expect(good.status).toBe(200);
    expect((good.body as Buffer).toString()).toBe(PLAYLIST);
    for (const f of ['empty', 'truncated', 'reset-mid-body'] as const) {
      fault = f;
      const res = await fetchAll(url);
      expect(res.status, f).toBe(200);
      expect((res.body as Buffer).toString(), f).toBe(PLAYLIST);
    }
    fault = 'none';
  });

  it('a playlist whose origin stalls answers 503 within seconds, not a hang', async () => {
    const { playbackId } = await stream();
    fault = 'reset-mid-body';
    const res = await fetchAll(`${edgeUrl}/live/${playbackId}/360p/index.m3u8`);
    fault = 'none';
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
  });
});

describe('LL-HLS parts named by a preload hint', () => {
  it('players asking for a part before it exists wait for it together: one origin probe per poll, each gets the part', async () => {
    const { playbackId } = await stream();
    const key = `live/${playbackId}/360p/run_00042.part.m4s`;
    const part = Buffer.alloc(50_000, 7);
    const waiting = Array.from({ length: 20 }, () => fetchAll(`${edgeUrl}/${key}`));
    await new Promise((r) => setTimeout(r, 500));
    await s3.put(key, part, CACHE_IMMUTABLE);
    const answers = await Promise.all(waiting);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect((a.body as Buffer).equals(part)).toBe(true);
    }
    // Each player: one look, then one read once it exists. Probes while waiting: shared (~10 per 500 ms).
    const count = [...gets].filter(([path]) => path.includes('run_00042.part.m4s')).reduce((n, [, c]) => n + c, 0);
    expect(count).toBeLessThan(20 * 2 + 30); // each player polling on its own: over 200
  });

  it('a part that never comes: 404 after a short wait', async () => {
    const { playbackId } = await stream();
    const res = await fetchAll(`${edgeUrl}/live/${playbackId}/360p/run_00099.part.m4s`);
    expect(res.status).toBe(404);
    expect(res.ms).toBeLessThan(5_000);
  });
});
