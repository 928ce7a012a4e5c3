/// <reference lib="dom" />
// A broadcast with a reconnect in the middle becomes one VOD asset, without re-encoding.
import HLS from 'hls-parser';
import { expect, it } from 'vitest';
import { startReceiver } from '../../apps/worker/test/receiver.js';
import { launchChromium } from './browser.js';
import { probe, startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);

async function duration(url: string): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', url]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  return Number(out.trim());
}

it('records a broadcast across a reconnect as one asset: VOD playlists, MP4, thumbnail, duration', async () => {
  const { api } = stack;
  const rx = await startReceiver();
  await api.call('POST', '/v1/webhooks', { body: { url: rx.url, events: ['asset.created', 'asset.ready'] } });
  const s = (await api.call('POST', '/v1/live-streams', { body: { name: 'Recorded', renditions: ['360p', '240p'], reconnectWindowSeconds: 6 } })).body;
  const active = async () => {
    const got = (await api.call('GET', `/v1/live-streams/${s.id}`)).body;
    return got.status === 'active' && got;
  };

  const first = startEncoder(s.ingestUrl, { size: '640x360', seconds: 12 });
  const live = await waitFor(active, 40_000, 'active');
  expect(live.activeAssetId).toMatch(/^as_/);
  expect(await first.exited).toBe(0);
  await waitFor(async () => (await api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'reconnecting', 15_000, 'reconnecting');

  const second = startEncoder(s.ingestUrl, { size: '640x360', seconds: 10 });
  const back = await waitFor(active, 40_000, 'active again');
  expect(back.activeAssetId).toBe(live.activeAssetId);
  expect(await second.exited).toBe(0);

  const ended = Date.now();
  const asset = await waitFor(
    async () => {
      const a = (await api.call('GET', `/v1/assets/${live.activeAssetId}`)).body;
      return a.status !== 'preparing' && a;
    },
    60_000,
    `asset ready\n${stack.logs
      .filter((l) => l.includes('finalize') || l.includes('asset'))
      .slice(-10)
      .join('\n')}`,
  );
  expect(asset.status).toBe('ready');
  expect(Date.now() - ended).toBeLessThan(25_000); // 6 s reconnect window + finalize
  // What the encoder pushed: 12 s + 10 s.
  const vodText = await (await fetch(new URL('360p/index.m3u8', asset.playback.hlsUrl))).text();
  expect(Math.abs(asset.durationSeconds - 22), `${asset.durationSeconds}\n${vodText}`).toBeLessThanOrEqual(0.5);
  expect((await api.call('GET', `/v1/assets?liveStreamId=${s.id}`)).body.data).toHaveLength(1);
  expect((await api.call('GET', `/v1/live-streams/${s.id}`)).body.recentAssetIds).toEqual([asset.id]);

  const master = HLS.parse(await (await fetch(asset.playback.hlsUrl)).text());
  if (!master.isMasterPlaylist) throw new Error('master expected');
  expect(master.variants.map((v) => v.uri)).toEqual(['360p/index.m3u8', '240p/index.m3u8']);
  const media = HLS.parse(await (await fetch(new URL('360p/index.m3u8', asset.playback.hlsUrl))).text());
  if (media.isMasterPlaylist) throw new Error('media expected');
  expect(media.playlistType).toBe('VOD');
  expect(media.endlist).toBe(true);
  expect(media.segments.filter((x) => x.discontinuity)).toHaveLength(1);

  const mp4Url = await waitFor(async () => (await api.call('GET', `/v1/assets/${asset.id}`)).body.mp4Url as string | null, 30_000, 'mp4Url');
  expect(Math.abs((await duration(mp4Url)) - asset.durationSeconds)).toBeLessThanOrEqual(0.5);
  expect((await probe(mp4Url)).map((x) => x.codec_type).sort()).toEqual(['audio', 'video']);
  expect((await fetch(asset.thumbnailUrl)).headers.get('content-type')).toBe('image/jpeg');

  const events = rx.received
    .map((r) => JSON.parse(r.body))
    .filter((e) => e.data.id === asset.id)
    .map((e) => e.type);
  expect(events).toEqual(expect.arrayContaining(['asset.created', 'asset.ready']));

  // The recording plays end to end in a browser, across the join.
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/play/${asset.playbackId}`);
    await page.waitForFunction(() => (window as any).airwavePlayer?.state === 'vod', undefined, { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('video')!.readyState >= 2, undefined, { timeout: 20_000 });
    await page.evaluate(() => {
      const v = document.querySelector('video')!;
      v.playbackRate = 4;
      return v.play();
    });
    await page.waitForFunction(() => document.querySelector('video')!.ended, undefined, { timeout: 40_000 });
    const played = await page.evaluate(() => document.querySelector('video')!.currentTime);
    expect(Math.abs(played - asset.durationSeconds)).toBeLessThanOrEqual(1);
  } finally {
    await browser.close();
  }

  // Deleting the asset removes every object it has.
  expect((await api.call('DELETE', `/v1/assets/${asset.id}`)).status).toBe(204);
  await waitFor(async () => (await fetch(mp4Url)).status === 404, 20_000, 'objects deleted');
  expect((await fetch(new URL('360p/index.m3u8', asset.playback.hlsUrl))).status).toBe(404);
  await rx.close();
}, 180_000);

it('when the ingest node dies, the encoder reconnects through another node into the same session and asset', async () => {
  const { api } = stack;
  const { ephemeralPort } = await import('../../scripts/up/net.js');
  const portB = await ephemeralPort();
  await stack.startIngest(portB);
  const s = (await api.call('POST', '/v1/live-streams', { body: { name: 'Node dies', renditions: ['240p'], latencyMode: 'low', reconnectWindowSeconds: 8 } }))
    .body;
  const active = async () => {
    const got = (await api.call('GET', `/v1/live-streams/${s.id}`)).body;
    return got.status === 'active' && got;
  };
  const first = startEncoder(s.ingestUrl, { size: '426x240', seconds: 120 });
  const before = await waitFor(active, 40_000, 'active on node A');
  stack.ingest.child.kill('SIGKILL');
  await first.exited;

  // Like OBS: retry the other node every 2 s until it takes the stream.
  let second: ReturnType<typeof startEncoder> | undefined;
  await waitFor(
    async () => {
      second = startEncoder(`rtmp://127.0.0.1:${portB}/live/${s.streamKey}`, { size: '426x240', seconds: 10 });
      const outcome = await Promise.race([second.exited.then(() => 'refused'), new Promise((r) => setTimeout(() => r('publishing'), 2000))]);
      return outcome === 'publishing';
    },
    45_000,
    'reconnected through node B',
  );
  const after = await waitFor(active, 40_000, 'active on node B');
  expect(after.currentSessionId).toBe(before.currentSessionId);
  expect(after.activeAssetId).toBe(before.activeAssetId);
  const session = (await api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
  expect(session).toHaveLength(1);
  expect(session[0]).toMatchObject({ ingestNodeId: `ingest-${portB}`, reconnects: 1 });
  await second!.exited;

  const asset = await waitFor(
    async () => {
      const a = (await api.call('GET', `/v1/assets/${before.activeAssetId}`)).body;
      return a.status === 'ready' && a;
    },
    60_000,
    'asset ready',
  );
  const media = HLS.parse(await (await fetch(new URL('240p/index.m3u8', asset.playback.hlsUrl))).text());
  if (media.isMasterPlaylist) throw new Error('media expected');
  expect(media.segments.some((x) => x.discontinuity)).toBe(true);
}, 180_000);
