// The audience of a live stream, with real players: viewers counted by the playback edge without a
// player SDK, the series and the session's peak, and a recording's views.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import HLS from 'hls-parser';
import { launchChromium } from './browser.js';
import { decodeAll, probe, startEncoder, useStack, waitFor, type Encoder } from './stack.js';

// The worker writes viewer counts to Postgres at every sweep (10 s) instead of every minute, and
// runs the three ladders of this file at once.
const stack = useStack(import.meta.filename, { VIEWERS_FLUSH_SECONDS: '10', WORKER_CONCURRENCY: '4' });
let browser: Browser;
const encoders: Encoder[] = [];

/** The DVR stream goes live first, so it has 90 s behind it when its test comes. */
let dvr: { stream: any; liveSince: number };
/** A recorded stream for the clips, live from the start too. */
let clipped: { stream: any; encoder: Encoder; liveSince: number };

beforeAll(async () => {
  browser = await launchChromium();
  const { stream } = await liveStream({ name: 'DVR', dvrWindowSeconds: 600, record: false });
  dvr = { stream, liveSince: Date.now() };
  const c = await liveStream({ name: 'Clips' });
  clipped = { ...c, liveSince: Date.now() };
}, 90_000);
afterAll(async () => {
  await Promise.all(encoders.map((e) => e.stop()));
  await browser?.close();
});

async function liveStream(body: Record<string, unknown> = {}) {
  const stream = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Audience', reconnectWindowSeconds: 0, renditions: ['240p'], ...body } }))
    .body;
  const encoder = startEncoder(stream.ingestUrl, { seconds: 240, size: '426x240' });
  encoders.push(encoder);
  await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'active', 30_000, 'stream active');
  return { stream, encoder };
}

async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A process that prints `ready` once it serves; killed with the file. */
const sources: ChildProcess[] = [];
async function startSource(cmd: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  sources.push(child);
  let out = '';
  await waitFor(
    () => {
      out += child.stdout!.read()?.toString() ?? '';
      if (child.exitCode !== null) throw new Error(`${cmd} exited: ${child.stderr!.read()?.toString() ?? ''}`);
      return out.includes('ready');
    },
    15_000,
    `${cmd} ready`,
  );
  return child;
}
afterAll(() => sources.forEach((c) => c.kill('SIGKILL')));
const camera = (port: number) => startSource('/usr/bin/python3', [path.join(import.meta.dirname, 'fixtures/rtsp-camera.py'), String(port), 'cam', 's3cretpw']);

const getStream = async (id: string) => (await stack.api.call('GET', `/v1/live-streams/${id}`)).body;

describe('viewers', () => {
  it('ten hls.js players are ten viewers; none once they close; the peak, the series and the recording’s views remember them', async () => {
    const { stream } = await liveStream();
    expect(stream.viewers).toEqual({ current: 0, peak: 0 });
    const pages: Page[] = [];
    for (let i = 0; i < 10; i++) {
      const page = await browser.newPage();
      await page.goto(`${stream.playback.playerUrl}?mode=standard`);
      pages.push(page);
    }
    await Promise.all(pages.map((p) => p.waitForFunction(() => document.querySelector('video')!.currentTime > 0, undefined, { timeout: 45_000 })));
    const watching = await waitFor(
      async () => {
        const s = await getStream(stream.id);
        return Math.abs(s.viewers.current - 10) <= 1 && s;
      },
      30_000,
      '10 current viewers',
    );
    expect(watching.viewers.peak).toBeGreaterThanOrEqual(watching.viewers.current);
    // The listing counts them too.
    const listed = (await stack.api.call('GET', '/v1/live-streams?limit=100')).body.data.find((s: { id: string }) => s.id === stream.id);
    expect(Math.abs(listed.viewers.current - 10)).toBeLessThanOrEqual(1);
    // The worker's flush: the session's peak is in Postgres, the series has the ten.
    await waitFor(
      async () => (await stack.api.env.db.liveStreamSession.findUnique({ where: { id: watching.currentSessionId } }))?.viewersPeak === 10,
      30_000,
      'peak flushed',
    );
    const series = (await stack.api.call('GET', `/v1/live-streams/${stream.id}/viewers`)).body;
    expect(series.bucketSeconds).toBe(10);
    // The last hour by default: 360 buckets, 361 when it does not start on a bucket boundary.
    expect(series.data.length).toBeGreaterThanOrEqual(360);
    expect(series.data.length).toBeLessThanOrEqual(361);
    expect(Math.max(...series.data.map((p: { viewers: number }) => p.viewers))).toBe(10);

    await Promise.all(pages.map((p) => p.close()));
    const gone = await waitFor(
      async () => {
        const s = await getStream(stream.id);
        return s.viewers.current === 0 && s;
      },
      30_000,
      'no viewers after the pages closed',
    );
    expect(gone.viewers.peak).toBe(10);
    // Each page fetched the recording's segments as they were made: ten views, however many segments.
    const asset = await waitFor(
      async () => {
        const a = (await stack.api.call('GET', `/v1/assets/${watching.activeAssetId}`)).body;
        return a.views === 10 && a;
      },
      30_000,
      'the recording counts ten views',
    );
    expect(asset.watchTimeSeconds).toBeGreaterThanOrEqual(10 * 10);

    const bad = await stack.api.call('GET', `/v1/live-streams/${stream.id}/viewers?from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('24 hours');
  }, 240_000);
});

describe('DVR', () => {
  it('a 600 s window: after 90 s live the playlist spans 80 s or more, and a player rewinds 60 s and plays', async () => {
    const { stream } = dvr;
    expect(stream.dvrWindowSeconds).toBe(600);
    await new Promise((r) => setTimeout(r, Math.max(0, dvr.liveSince + 90_000 - Date.now())));
    const media = HLS.parse(await (await fetch(new URL('240p/index.m3u8', stream.playback.hlsUrl))).text()) as HLS.types.MediaPlaylist;
    const span = media.segments.reduce((n, seg) => n + seg.duration, 0);
    expect(span).toBeGreaterThanOrEqual(80);

    const page = await browser.newPage();
    await page.goto(`${stream.playback.playerUrl}?mode=standard`);
    await page.waitForFunction(() => document.querySelector('video')!.currentTime > 0, undefined, { timeout: 30_000 });
    // The page shows a live timeline as long as the window.
    await page.waitForFunction(
      () => (window as any).airwavePlayer.dvr && (window as any).airwavePlayer.dvr.end - (window as any).airwavePlayer.dvr.start >= 80,
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.isVisible('#timeline')).toBe(true);
    await page.evaluate(() => {
      const v = document.querySelector('video')!;
      v.currentTime = v.seekable.end(v.seekable.length - 1) - 60;
    });
    await page.waitForFunction(() => (window as any).airwavePlayer.dvr.behind > 50 && !document.querySelector('video')!.seeking, undefined, {
      timeout: 20_000,
    });
    const t0 = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await page.waitForTimeout(3000);
    const after = await page.evaluate(() => ({ t: document.querySelector('video')!.currentTime, behind: (window as any).airwavePlayer.dvr.behind }));
    expect(after.t).toBeGreaterThan(t0 + 1.5); // it plays from where it went, not back at the live edge
    expect(after.behind).toBeGreaterThan(50);
    expect(await page.textContent('#behind')).toMatch(/behind live/);
    await page.close();

    const tooLong = await stack.api.call('PATCH', `/v1/live-streams/${stream.id}`, { body: { dvrWindowSeconds: 14401 } });
    expect(tooLong.status).toBe(400);
  }, 180_000);
});

describe('instant clips', () => {
  const readyAsset = (id: string, what: string) =>
    waitFor(
      async () => {
        const a = (await stack.api.call('GET', `/v1/assets/${id}`)).body;
        if (a.status === 'errored') throw new Error(`clip errored: ${a.errorMessage}`);
        return a.status === 'ready' && a.mp4Url && a;
      },
      60_000,
      what,
    );

  it('clips 20 s of a stream while it is live, then 10 s of its recording by offsets; bad ranges are refused with the reason', async () => {
    const { stream, encoder } = clipped;
    await new Promise((r) => setTimeout(r, Math.max(0, clipped.liveSince + 35_000 - Date.now())));
    const end = new Date(Date.now() - 4_000);
    const start = new Date(end.getTime() - 20_000);
    const asked = Date.now();
    const res = await stack.api.call('POST', '/v1/assets', {
      body: { input: { liveStreamId: stream.id, startTime: start.toISOString(), endTime: end.toISOString() } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('preparing');
    expect(res.body.clip.requested).toEqual({ startTime: start.toISOString(), endTime: end.toISOString() });
    const hlsReady = await waitFor(
      async () => {
        const a = (await stack.api.call('GET', `/v1/assets/${res.body.id}`)).body;
        return a.status === 'ready' && a;
      },
      30_000,
      'live clip ready',
    );
    console.log(`live clip of 20 s: ready ${((Date.now() - asked) / 1000).toFixed(1)} s after the request`);
    const { actual } = hlsReady.clip;
    expect(Date.parse(actual.startTime)).toBeLessThanOrEqual(start.getTime());
    expect(Date.parse(actual.endTime)).toBeGreaterThanOrEqual(end.getTime() - 50);
    const live = await readyAsset(res.body.id, 'live clip MP4');
    const mp4 = await decodeAll(live.mp4Url);
    expect(mp4.errors).toBe('');
    // The range and at most a 2 s segment more on each side.
    expect(mp4.seconds).toBeGreaterThanOrEqual(19.5);
    expect(mp4.seconds).toBeLessThanOrEqual(24.5);
    expect((await probe(live.mp4Url)).map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect((await fetch(live.playback.hlsUrl)).status).toBe(200);

    const refused = async (input: Record<string, unknown>, reason: RegExp) => {
      const r = await stack.api.call('POST', '/v1/assets', { body: { input } });
      expect(r.status, JSON.stringify(input)).toBe(400);
      expect(r.body.error.message).toMatch(reason);
    };
    const iso = (ms: number) => new Date(ms).toISOString();
    await refused({ liveStreamId: stream.id, startTime: end.toISOString(), endTime: start.toISOString() }, /after the start/);
    await refused({ liveStreamId: stream.id, startTime: iso(Date.now() - 5 * 3600_000), endTime: iso(Date.now() - 10_000) }, /at most 4 hours/);
    await refused({ liveStreamId: stream.id, startTime: '2020-01-01T00:00:00Z', endTime: '2020-01-01T00:00:30Z' }, /outside what the stream holds/);
    await refused({ liveStreamId: stream.id, startTime: iso(Date.now() - 10_000), endTime: iso(Date.now() + 60_000) }, /future/);

    // The broadcast ends; its recording is clipped by offsets.
    await encoder.stop();
    const recordingId = (await getStream(stream.id)).recentAssetIds[0];
    const recording = await readyAsset(recordingId, 'recording ready');
    await refused({ assetId: recording.id, startOffsetSeconds: 5, endOffsetSeconds: recording.durationSeconds + 30 }, /past the end/);
    const byOffset = await stack.api.call('POST', '/v1/assets', { body: { input: { assetId: recording.id, startOffsetSeconds: 4, endOffsetSeconds: 14 } } });
    expect(byOffset.status).toBe(201);
    const ten = await readyAsset(byOffset.body.id, 'offset clip ready');
    expect(ten.clip.actual.startOffsetSeconds).toBeLessThanOrEqual(4);
    expect(ten.clip.actual.endOffsetSeconds).toBeGreaterThanOrEqual(14);
    const tenMp4 = await decodeAll(ten.mp4Url);
    expect(tenMp4.errors).toBe('');
    expect(tenMp4.seconds).toBeGreaterThanOrEqual(9.5);
    expect(tenMp4.seconds).toBeLessThanOrEqual(14.5);
    // A clip outlives its source: its segments are its own.
    expect(ten.playback.hlsUrl).toContain(ten.id);

    // Storyboards: the recording's seek-bar previews, a WebVTT of sprite tiles covering its duration.
    const boarded = await waitFor(
      async () => {
        const a = (await stack.api.call('GET', `/v1/assets/${recording.id}`)).body;
        return a.storyboardUrl && a;
      },
      60_000,
      'storyboard',
    );
    const vtt = await (await fetch(boarded.storyboardUrl)).text();
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    const cues = [...vtt.matchAll(/(\d+):(\d+):([\d.]+) --> (\d+):(\d+):([\d.]+)\n([^#\n]+)#xywh=(\d+),(\d+),(\d+),(\d+)/g)].map((m) => ({
      from: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]),
      to: Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]),
      image: m[7]!,
      x: Number(m[8]),
      y: Number(m[9]),
      w: Number(m[10]),
      h: Number(m[11]),
    }));
    expect(cues.length).toBeGreaterThan(1);
    expect(cues.length).toBeLessThanOrEqual(100);
    expect(cues[0]!.from).toBe(0);
    cues.slice(1).forEach((c, i) => expect(c.from).toBeCloseTo(cues[i]!.to, 3));
    expect(cues.at(-1)!.to).toBeGreaterThanOrEqual(boarded.durationSeconds - 0.01);
    const sprite = new URL(cues[0]!.image, boarded.storyboardUrl).href;
    const jpg = await fetch(sprite);
    expect(jpg.headers.get('content-type')).toBe('image/jpeg');
    const [{ width, height }] = (await probe(sprite)) as { width: number; height: number }[];
    for (const c of cues) expect(c.x + c.w <= width! && c.y + c.h <= height!).toBe(true);
    // The player page shows the tile under the pointer above its seek bar.
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/play/${boarded.playbackId}`);
    await page.waitForFunction(() => (window as any).airwavePlayer.storyboardTiles > 0 && !document.getElementById('timeline')!.hidden, undefined, {
      timeout: 30_000,
    });
    const bar = (await page.locator('#seek').boundingBox())!;
    await page.mouse.move(bar.x + bar.width * 0.75, bar.y + bar.height / 2);
    await page.waitForFunction(() => (window as any).airwavePlayer.preview, undefined, { timeout: 5_000 });
    expect(await page.isVisible('#preview')).toBe(true);
    const preview = await page.evaluate(() => (window as any).airwavePlayer.preview);
    expect(preview.time).toBeGreaterThan(boarded.durationSeconds * 0.6);
    await page.close();
  }, 180_000);
});

describe('pull ingest', () => {
  it('a camera over RTSP (with credentials) becomes a live stream; when it goes away the reason shows, and it comes back by itself', async () => {
    const port = await freePort();
    let cam = await camera(port);
    const created = await stack.api.call('POST', '/v1/live-streams', {
      body: {
        name: 'Camera',
        renditions: ['240p'],
        reconnectWindowSeconds: 0,
        record: false,
        input: { type: 'pull', url: `rtsp://cam:s3cretpw@127.0.0.1:${port}/cam` },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const stream = created.body;
    expect(stream.input).toEqual({ type: 'pull', url: `rtsp://cam:***@127.0.0.1:${port}/cam`, state: 'connecting', error: null });
    expect(JSON.stringify(stream)).not.toContain('s3cretpw');
    const live = await waitFor(
      async () => {
        const s = await getStream(stream.id);
        return s.status === 'active' && s.input.state === 'receiving' && s;
      },
      60_000,
      'the camera live',
    );
    expect(live.input.error).toBeNull();
    await waitFor(
      async () => {
        const media = await fetch(new URL('240p/index.m3u8', stream.playback.hlsUrl));
        return media.ok && (await media.text()).includes('#EXTINF');
      },
      30_000,
      'the camera plays',
    );
    // The G.711 audio became AAC: the ladder plays audio too.
    const session = await stack.api.env.db.liveStreamSession.findFirst({ where: { liveStreamId: stream.id }, orderBy: { startedAt: 'desc' } });
    expect((session?.stats as { audioCodec?: string } | null)?.audioCodec).toBe('aac');

    cam.kill('SIGKILL');
    const down = await waitFor(
      async () => {
        const s = await getStream(stream.id);
        return s.input.state === 'retrying' && s.input.error && s;
      },
      40_000,
      'the pull says why',
    );
    expect(down.input.error).toMatch(/source/);
    expect(down.input.error).not.toContain('s3cretpw');
    cam = await camera(port);
    await waitFor(
      async () => {
        const s = await getStream(stream.id);
        return s.status === 'active' && s.input.state === 'receiving';
      },
      90_000,
      'live again after the camera came back',
    );

    // Disabled: the pull stops; enabled: it pulls again.
    await stack.api.call('POST', `/v1/live-streams/${stream.id}/disable`);
    await waitFor(async () => (await getStream(stream.id)).input.state === 'stopped', 20_000, 'pull stopped');
    await stack.api.call('POST', `/v1/live-streams/${stream.id}/enable`);
    await waitFor(
      async () => {
        const s = await getStream(stream.id);
        return s.status === 'active' && s.input.state === 'receiving';
      },
      60_000,
      'pulling again once enabled',
    );
    await stack.api.call('DELETE', `/v1/live-streams/${stream.id}`);
    cam.kill('SIGKILL');
  }, 300_000);

  it('another RTMP server as a source; sources that cannot be pulled are refused with the reason', async () => {
    const port = await freePort();
    await startSource(process.execPath, [
      '-e',
      `const N = require('node-media-server'); new N({ rtmp: { port: ${port}, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 }, store: { path: require('node:path').join(require('node:os').tmpdir(), 'airwave-test-nms-${port}') } }).run(); setTimeout(() => console.log('ready'), 500);`,
    ]);
    const upstream = startEncoder(`rtmp://127.0.0.1:${port}/live/upstream`, { seconds: 120, size: '426x240' });
    encoders.push(upstream);
    const created = await stack.api.call('POST', '/v1/live-streams', {
      body: { name: 'Relay', renditions: ['240p'], record: false, input: { type: 'pull', url: `rtmp://127.0.0.1:${port}/live/upstream` } },
    });
    expect(created.status).toBe(201);
    await waitFor(async () => (await getStream(created.body.id)).status === 'active', 60_000, 'pulled from the other server');
    await stack.api.call('DELETE', `/v1/live-streams/${created.body.id}`);
    await upstream.stop();

    for (const [url, reason] of [
      ['ftp://example.com/x', /cannot be pulled/],
      ['https://example.com/video.mp4', /HLS playlist/],
      ['not a url', /not a valid URL/],
    ] as const) {
      const r = await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Bad', input: { type: 'pull', url } } });
      expect(r.status, url).toBe(400);
      expect(r.body.error.message).toMatch(reason);
    }
  }, 180_000);
});
