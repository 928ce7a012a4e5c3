/// <reference lib="dom" />
// The real-time tier end to end: ffmpeg publishes RTMP, Chromium watches over WHEP through the API's
// entry point and a real edge process; the playback policy and the viewer lifecycle hold.
import HLS from 'hls-parser';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { startEncoder, useStack, waitFor, type Encoder } from './stack.js';
import { startWhep, startWhip, whepState } from './webrtc.js';

const stack = useStack(import.meta.filename);
let browser: Browser;
let edgeUrl: string;
const encoders: Encoder[] = [];

beforeAll(async () => {
  browser = await launchChromium({ fakeMedia: true });
  edgeUrl = (await stack.startEdge({ WEBRTC_MAX_VIEWERS: '3' })).url;
}, 60_000);
// One live encoder at a time: the two cores also run each stream's ladder.
afterEach(async () => {
  await Promise.all(encoders.splice(0).map((e) => e.stop()));
});
afterAll(async () => {
  await browser?.close();
});

const edgeViewers = async () =>
  (
    (await (await fetch(`${edgeUrl}/metrics/viewers`, { headers: { authorization: `Bearer ${stack.api.env.config.internalToken}` } })).json()) as {
      viewers: number;
    }
  ).viewers;

async function liveStream(body: Record<string, unknown> = {}, encoderOpts: Parameters<typeof startEncoder>[1] = {}) {
  const stream = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Real-time', reconnectWindowSeconds: 0, latencyMode: 'low', ...body } }))
    .body;
  const encoder = startEncoder(stream.ingestUrl, { seconds: 120, size: '640x360', ...encoderOpts });
  encoders.push(encoder);
  await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'active', 30_000, 'stream active');
  // The ingest reports B-frames (or their absence) after its first frames.
  await waitFor(
    async () => {
      const s = await stack.api.env.db.liveStreamSession.findFirst({ where: { liveStreamId: stream.id }, orderBy: { startedAt: 'desc' } });
      return typeof (s?.stats as { bFrames?: boolean } | null)?.bFrames === 'boolean';
    },
    20_000,
    'B-frames known',
  );
  return { stream, encoder };
}

async function playsInPage(whepUrl: string) {
  const page = await browser.newPage();
  await page.goto(`${stack.apiUrl}/healthz`);
  const answer = await startWhep(page, whepUrl);
  expect(answer.status, answer.body).toBe(201);
  expect(answer.location).toMatch(new RegExp(`^${edgeUrl}/whep/sessions/`));
  await waitFor(async () => (await whepState(page)).width > 0, 15_000, 'a decoded frame');
  const first = await whepState(page);
  await page.waitForTimeout(1500);
  const later = await whepState(page);
  expect(later.time).toBeGreaterThan(first.time + 0.5);
  expect(later.audioPackets).toBeGreaterThan(0);
  const location = answer.location!;
  /** Leaves as a player should: DELETE the session, then close. */
  const leave = async () => {
    await page.evaluate(async (url) => (await fetch(url, { method: 'DELETE' })).status, location);
    await page.close();
  };
  return { page, location, leave };
}

describe('WHEP playback', () => {
  it('plays the source copied (no B-frames) and DELETE frees the viewer at once', async () => {
    const { stream } = await liveStream();
    expect(stream.playback.whepUrl).toBe(`${stack.apiUrl}/whep/${stream.playbackId}`);
    const { page, location } = await playsInPage(stream.playback.whepUrl);
    expect(await whepState(page).then((s) => s.width)).toBe(640);
    expect(await edgeViewers()).toBe(1);
    expect(stack.logs.some((l) => l.startsWith('edge') && l.includes('"reencode":false'))).toBe(true);
    const del = await page.evaluate(async (url) => (await fetch(url, { method: 'DELETE' })).status, location);
    expect(del).toBe(200);
    await waitFor(async () => (await edgeViewers()) === 0, 2_000, 'viewer released by DELETE');
    await page.close();
  }, 60_000);

  it('re-encodes a source with B-frames once, for every viewer', async () => {
    const { stream } = await liveStream({}, { videoCodec: ['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2', '-g', '60', '-pix_fmt', 'yuv420p'] });
    const a = await playsInPage(stream.playback.whepUrl);
    const b = await playsInPage(stream.playback.whepUrl);
    const feeds = stack.logs.filter((l) => l.startsWith('edge') && l.includes('feed started') && l.includes('"reencode":true'));
    expect(feeds.length).toBe(1);
    await a.leave();
    await b.leave();
  }, 60_000);

  it('answers errors in the envelope: bad offers, unknown or idle streams', async () => {
    const idle = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Idle' } })).body;
    const post = (url: string, body: string, type = 'application/sdp') =>
      fetch(url, { method: 'POST', headers: { 'content-type': type }, body, redirect: 'manual' });
    const notLive = await post(idle.playback.whepUrl, 'v=0\r\n');
    expect(notLive.status).toBe(404);
    expect((await notLive.json()).error.code).toBe('not_live');
    expect((await post(`${stack.apiUrl}/whep/${'x'.repeat(32)}`, 'v=0\r\n')).status).toBe(404);

    const { stream } = await liveStream();
    const redirect = await post(stream.playback.whepUrl, 'v=0\r\n');
    expect(redirect.status).toBe(307);
    const edgeLocation = redirect.headers.get('location')!;
    const garbage = await post(edgeLocation, 'hello');
    expect(garbage.status).toBe(400);
    expect((await garbage.json()).error.message).toMatch(/not an SDP offer/);
    const noH264 = await post(edgeLocation, VP8_ONLY_OFFER);
    expect(noH264.status).toBe(400);
    expect((await noH264.json()).error.message).toContain('H.264');
    const forged = await post(edgeLocation.replace(/t=[^&]+/, 't=Zm9yZ2VkLXRpY2tldC1mb3JnZWQtdGlja2V0LWZvcmdlZA'), 'v=0\r\n');
    expect(forged.status).toBe(403);
  }, 60_000);
});

describe('WHEP playback policy and lifecycle', () => {
  it('a signed stream plays only with a token, and only on an allowed origin', async () => {
    const { stream } = await liveStream({ playbackPolicy: 'signed', allowedOrigins: [stack.apiUrl] });
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/healthz`);
    const refused = await startWhep(page, stream.playback.whepUrl);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body!).error.code).toBeTruthy();
    const { token } = (await stack.api.call('POST', '/v1/playback-tokens', { body: { playbackId: stream.playbackId } })).body;
    await page.close();
    const viewer = await playsInPage(`${stream.playback.whepUrl}?token=${token}`);
    await viewer.leave();

    // The same token from a page of another origin.
    const other = await fetch(`${stream.playback.whepUrl}?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', origin: 'https://elsewhere.example' },
      body: 'v=0\r\n',
      redirect: 'manual',
    });
    expect(other.status).toBe(403);
    expect((await other.json()).error.code).toBe('origin_not_allowed');
  }, 60_000);

  it('releases a viewer whose tab closed without DELETE (ICE consent), and turns viewers away when the edge is full', async () => {
    const { stream } = await liveStream();
    await waitFor(async () => (await edgeViewers()) === 0, 10_000, 'earlier viewers gone');
    const viewers = await Promise.all([1, 2, 3].map(() => playsInPage(stream.playback.whepUrl)));
    expect(await edgeViewers()).toBe(3);
    const full = await fetch(stream.playback.whepUrl, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n', redirect: 'manual' });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBeTruthy();
    expect((await full.json()).error.code).toBe('edge_full');

    const closedAt = Date.now();
    await Promise.all(viewers.map((v) => v.page.close()));
    await waitFor(async () => (await edgeViewers()) === 0, 30_000, 'viewers released after their tabs closed');
    expect(Date.now() - closedAt).toBeLessThan(30_000);
  }, 90_000);
});

describe('player page', () => {
  it('plays real-time over WHEP (signed, with the page token), falls back to HLS when WebRTC fails, and switches modes', async () => {
    const { stream } = await liveStream({ playbackPolicy: 'signed' });
    const { token } = (await stack.api.call('POST', '/v1/playback-tokens', { body: { playbackId: stream.playbackId } })).body;
    const page = await browser.newPage();
    await page.goto(`${stream.playback.playerUrl}?mode=realtime&token=${token}`);
    await page.waitForFunction(() => (window as any).airwavePlayer.via === 'webrtc' && document.querySelector('video')!.videoWidth > 0, undefined, {
      timeout: 20_000,
    });
    const t1 = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => document.querySelector('video')!.currentTime)).toBeGreaterThan(t1 + 0.5);
    expect(await edgeViewers()).toBe(1);

    // The standard button: HLS, and the WebRTC viewer is released (DELETE) at once.
    await page.click('#modes button[data-mode="standard"]');
    await page.waitForFunction(() => (window as any).airwavePlayer.via === 'hls' && document.querySelector('video')!.currentTime > 0, undefined, {
      timeout: 40_000,
    });
    await waitFor(async () => (await edgeViewers()) === 0, 3_000, 'WebRTC viewer released on switching to HLS');
    await page.close();

    // A network that blocks WebRTC signalling: the page says so and plays HLS instead.
    const blocked = await browser.newPage();
    await blocked.addInitScript(() => {
      const real = window.fetch.bind(window);
      window.fetch = (input: RequestInfo | URL, init?: RequestInit) =>
        String(input).includes('/whep/') ? Promise.reject(new TypeError('blocked by the network')) : real(input, init);
    });
    await blocked.goto(`${stream.playback.playerUrl}?mode=realtime&token=${token}`);
    await blocked.waitForFunction(
      () => (window as any).airwavePlayer.fallback && (window as any).airwavePlayer.via === 'hls' && document.querySelector('video')!.currentTime > 0,
      undefined,
      { timeout: 40_000 },
    );
    expect(await blocked.textContent('#note')).toContain('playing low-latency HLS instead');
    await blocked.close();
  }, 90_000);

  it('joins over WebRTC again when the encoder reconnects, without falling back to HLS', async () => {
    const { stream, encoder } = await liveStream({ reconnectWindowSeconds: 30 });
    const page = await browser.newPage();
    await page.goto(`${stream.playback.playerUrl}?mode=realtime`);
    await page.waitForFunction(() => (window as any).airwavePlayer.via === 'webrtc' && document.querySelector('video')!.videoWidth > 0, undefined, {
      timeout: 20_000,
    });

    await encoder.stop();
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'reconnecting', 15_000, 'reconnecting');
    const meanwhile = await fetch(stream.playback.whepUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: 'v=0\r\n',
      redirect: 'manual',
    });
    expect(meanwhile.status).toBe(503);
    expect(meanwhile.headers.get('retry-after')).toBeTruthy();
    expect((await meanwhile.json()).error.code).toBe('reconnecting');
    await page.waitForFunction(() => (window as any).airwavePlayer.rejoins >= 1, undefined, { timeout: 20_000 });
    // The page keeps asking while the encoder is away (503 reconnecting), and does not give up on WebRTC.
    await page.waitForTimeout(3_000);
    expect(await page.evaluate(() => (window as any).airwavePlayer.fallback)).toBeNull();
    const again = startEncoder(stream.ingestUrl, { seconds: 120, size: '640x360' });
    encoders.push(again);
    const framesNow = () =>
      page.evaluate(async () => {
        const player = (window as any).airwavePlayer;
        if (player.via !== 'webrtc' || !player.pc) return 0;
        let frames = 0;
        (await player.pc.getStats()).forEach((r: any) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') frames = r.framesDecoded || 0;
        });
        return frames;
      });
    await waitFor(async () => (await framesNow()) > 30, 45_000, 'frames over WebRTC after the encoder came back');
    expect(await page.evaluate(() => (window as any).airwavePlayer.fallback)).toBeNull();
    expect(await page.textContent('#note')).toBe('');
    await page.close();
  }, 120_000);
});

describe('LL-HLS in low mode', () => {
  it('media playlists carry parts and server control, a blocking reload waits for the next part, hls.js plays in low-latency mode, the recording works', async () => {
    const { stream, encoder } = await liveStream();
    const mediaUrl = stream.playback.hlsUrl.replace('index.m3u8', '360p/index.m3u8');
    const media = await waitFor(
      async () => {
        const res = await fetch(mediaUrl);
        if (!res.ok) return undefined;
        const p = HLS.parse(await res.text()) as HLS.types.MediaPlaylist;
        return p.segments.filter((x) => x.uri).length >= 2 && p;
      },
      40_000,
      'an LL-HLS media playlist with two segments',
    );
    expect(media.partTargetDuration).toBeGreaterThanOrEqual(0.2);
    expect(media.partTargetDuration).toBeLessThanOrEqual(0.5);
    expect(media.lowLatencyCompatibility?.canBlockReload).toBe(true);
    expect(media.lowLatencyCompatibility!.partHoldBack).toBeGreaterThanOrEqual(3 * media.partTargetDuration! - 1e-9);
    const complete = media.segments.filter((x) => x.uri);
    expect(complete.at(-1)!.uri).toMatch(/\.m4s$/);
    expect(complete.at(-1)!.map?.uri).toMatch(/init_.*\.mp4$/);
    const parts = complete.at(-1)!.parts.filter((p) => !p.hint);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts[0]!.independent).toBe(true);
    for (const p of parts) expect(p.duration).toBeLessThanOrEqual(media.partTargetDuration!);
    // The segment's parts, concatenated, are the segment (players that ignore parts get the same media).
    const base = mediaUrl.replace(/index\.m3u8$/, '');
    const partBytes = Buffer.concat(await Promise.all(parts.map(async (p) => Buffer.from(await (await fetch(base + p.uri)).arrayBuffer()))));
    expect(partBytes.equals(Buffer.from(await (await fetch(base + complete.at(-1)!.uri)).arrayBuffer()))).toBe(true);

    // The next part: where the preload hint points.
    const latest = HLS.parse(await (await fetch(mediaUrl)).text()) as HLS.types.MediaPlaylist;
    const open = latest.segments.at(-1)!;
    expect(open.parts.at(-1)!.hint).toBe(true);
    const msn = (latest.mediaSequenceBase ?? 0) + latest.segments.length - 1;
    const part = open.uri ? 0 : open.parts.filter((p) => !p.hint).length;
    const asked = Date.now();
    const blocked = await fetch(`${mediaUrl}?_HLS_msn=${msn}&_HLS_part=${part}`);
    const waited = Date.now() - asked;
    expect(blocked.status).toBe(200);
    const answered = HLS.parse(await blocked.text()) as HLS.types.MediaPlaylist;
    const seg = answered.segments[msn - (answered.mediaSequenceBase ?? 0)]!;
    expect(Boolean(seg.uri) || seg.parts.filter((p) => !p.hint).length > part).toBe(true);
    expect(waited).toBeLessThan(media.partTargetDuration! * 1000 + 500);
    expect((await fetch(`${mediaUrl}?_HLS_msn=${msn + 50}`)).status).toBe(400);

    // hls.js in low-latency mode loads parts.
    const page = await browser.newPage();
    page.on('console', (m) => stack.logs.push(`page: ${m.text()}`));
    page.on('pageerror', (e) => stack.logs.push(`page error: ${e.message}`));
    page.on('response', (r) => r.status() >= 400 && stack.logs.push(`page: ${r.status()} ${r.url()}`));
    await page.goto(`${stream.playback.playerUrl}?mode=low`);
    await page
      .waitForFunction(
        () => {
          const hls = (window as any).airwavePlayer.hls;
          const details = hls?.levels?.[hls.currentLevel]?.details;
          return document.querySelector('video')!.currentTime > 1 && details?.partList?.length > 0;
        },
        undefined,
        { timeout: 40_000 },
      )
      .catch(async (err) => {
        stack.logs.push(
          `page state: ${await page.evaluate(() => {
            const p = (window as any).airwavePlayer;
            const h = p.hls;
            return JSON.stringify({
              via: p.via,
              mode: p.mode,
              state: p.state,
              t: document.querySelector('video')!.currentTime,
              level: h?.currentLevel,
              parts: h?.levels?.map((l: any) => l.details?.partList?.length),
              latency: h?.latency,
            });
          })}`,
        );
        throw err;
      });
    await page.close();

    const assetId = (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.activeAssetId as string;
    await encoder.stop();
    const asset = await waitFor(
      async () => {
        const a = (await stack.api.call('GET', `/v1/assets/${assetId}`)).body;
        return a.status !== 'preparing' && a;
      },
      60_000,
      'recording finalized',
    );
    expect(asset.status, JSON.stringify(asset)).toBe('ready');
    const vod = await (await fetch(asset.playback.hlsUrl.replace('index.m3u8', '360p/index.m3u8'))).text();
    expect(vod).toContain('#EXT-X-MAP:URI=');
    expect(vod).not.toContain('.part.m4s');
    expect(vod).toContain('#EXT-X-ENDLIST');
  }, 120_000);
});

describe('WHIP ingest', () => {
  it('Chromium publishes its camera over WHIP: the stream goes live, HLS and WHEP play, the recording is ready after DELETE', async () => {
    const stream = (
      await stack.api.call('POST', '/v1/live-streams', {
        body: { name: 'From the browser', reconnectWindowSeconds: 0, latencyMode: 'low', renditions: ['360p', '240p'] },
      })
    ).body;
    expect(stream.whipUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/whip$/);
    const publisher = await browser.newPage();
    await publisher.goto(`${stack.apiUrl}/healthz`);

    const wrongKey = await startWhip(publisher, stream.whipUrl, 'aw_live_not-a-real-key-000000');
    expect(wrongKey.status).toBe(401);
    expect(JSON.parse(wrongKey.body!).error.code).toBe('unauthorized');
    await stack.api.call('POST', `/v1/live-streams/${stream.id}/disable`);
    const disabled = await startWhip(publisher, stream.whipUrl, stream.streamKey);
    expect(disabled.status).toBe(403);
    expect(JSON.parse(disabled.body!).error.code).toBe('stream_disabled');
    await stack.api.call('POST', `/v1/live-streams/${stream.id}/enable`);
    // None of the refusals created a session.
    expect((await stack.api.call('GET', `/v1/live-streams/${stream.id}/sessions`)).body.data).toEqual([]);

    const published = await startWhip(publisher, stream.whipUrl, stream.streamKey);
    expect(published.status, published.body).toBe(201);
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'active', 30_000, 'stream active from WHIP');

    // A second publisher for the same stream is refused, and the first goes on.
    const second = await browser.newPage();
    await second.goto(`${stack.apiUrl}/healthz`);
    const refused = await startWhip(second, stream.whipUrl, stream.streamKey);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body!).error.code).toBe('already_live');
    await second.close();

    // The HLS ladder: the master playlist lists both renditions.
    const master = await waitFor(
      async () => {
        const res = await fetch(stream.playback.hlsUrl);
        return res.ok && (await res.text());
      },
      40_000,
      'HLS master playlist',
    );
    expect(master).toContain('360p/index.m3u8');
    expect(master).toContain('240p/index.m3u8');
    const viewer = await playsInPage(stream.playback.whepUrl);
    await viewer.leave();

    const assetId = (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.activeAssetId as string;
    const status = await publisher.evaluate(async () => (await fetch((window as any).whip.location, { method: 'DELETE' })).status);
    expect(status).toBe(200);
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'idle', 20_000, 'idle after DELETE');
    await waitFor(async () => (await stack.api.call('GET', `/v1/assets/${assetId}`)).body.status === 'ready', 60_000, 'recording ready');
    const asset = (await stack.api.call('GET', `/v1/assets/${assetId}`)).body;
    expect(asset.durationSeconds).toBeGreaterThan(3);
    await publisher.close();
  }, 120_000);
});

const VP8_ONLY_OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=recvonly',
  'a=rtcp-mux',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');
