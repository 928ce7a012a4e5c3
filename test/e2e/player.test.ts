/// <reference lib="dom" />
// A viewer opens the player link in a real browser while an encoder publishes.
import { createPrivateKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);
const require = createRequire(import.meta.url);

it('plays the ladder in Chromium: status goes live, the video advances, every rendition is listed', async () => {
  const stream = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Browser', reconnectWindowSeconds: 0 } })).body;
  const browser = await launchChromium();
  const encoder = startEncoder(stream.ingestUrl, { seconds: 90 });
  try {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/play/${stream.playbackId}`);
    expect(await page.textContent('#status')).toContain('Waiting for the broadcast');

    await page.waitForFunction(() => (window as any).airwavePlayer?.state === 'live', undefined, { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('video')!.currentTime > 0, undefined, { timeout: 40_000 });
    const t1 = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await page.waitForTimeout(3000);
    const t2 = await page.evaluate(() => document.querySelector('video')!.currentTime);
    expect(t2).toBeGreaterThan(t1 + 1);

    const levels = await page.evaluate(() => (window as any).airwavePlayer.levels as string[]);
    expect([...levels].sort()).toEqual(['240p', '360p', '480p', '720p']);
    expect(await page.textContent('#levels')).toContain('720p');
    expect(await page.textContent('#status')).toBe('LIVE');

    // A stock hls.js on the HLS URL itself (no status polling): it must learn of the end from the playlist.
    const stock = await browser.newPage();
    await stock.setContent('<video muted autoplay></video>');
    await stock.addScriptTag({ path: require.resolve('hls.js/dist/hls.min.js') });
    await stock.evaluate((url) => {
      const video = document.querySelector('video')!;
      (window as any).ended = false;
      video.addEventListener('ended', () => ((window as any).ended = true));
      const hls = new (window as any).Hls();
      hls.loadSource(url);
      hls.attachMedia(video);
    }, stream.playback.hlsUrl);
    await stock.waitForFunction(() => document.querySelector('video')!.currentTime > 1, undefined, { timeout: 40_000 });

    await encoder.stop();
    const idleAt = await waitFor(
      async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'idle' && Date.now(),
      30_000,
      'stream idle',
    );
    // Every live media playlist says the broadcast is over (RFC 8216 §6.2.1), within one segment length (2 s) and our margin.
    const media = levels.map((l) => stream.playback.hlsUrl.replace('index.m3u8', `${l}/index.m3u8`));
    const sealedAt = await waitFor(
      async () => {
        const texts = await Promise.all(media.map((u) => fetch(u).then((r) => r.text())));
        return texts.every((t) => t.endsWith('#EXT-X-ENDLIST\n')) && Date.now();
      },
      30_000,
      'ENDLIST in every live media playlist',
    );
    expect(sealedAt - idleAt).toBeLessThan(4_000 + 1_000); // one segment length, plus our 1 s playlist cache
    await page.waitForFunction(() => (window as any).airwavePlayer.state === 'ended', undefined, { timeout: 30_000 });
    expect(await page.textContent('#status')).toBe('The broadcast has ended');
    await stock.waitForFunction(() => (window as any).ended === true, undefined, { timeout: 40_000 });
  } finally {
    await encoder.stop();
    await browser.close();
  }
}, 180_000);

it('keeps playing across an encoder reconnect inside the window', async () => {
  const stream = (
    await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Flaky uplink', renditions: ['360p', '240p'], reconnectWindowSeconds: 30 } })
  ).body;
  const browser = await launchChromium();
  let encoder = startEncoder(stream.ingestUrl, { size: '640x360', seconds: 90 });
  try {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/play/${stream.playbackId}`);
    await page.waitForFunction(() => document.querySelector('video')!.currentTime > 2, undefined, { timeout: 60_000 });
    // The uplink drops; the encoder comes back 3 s later, into the same session.
    await encoder.stop();
    await new Promise((r) => setTimeout(r, 3000));
    encoder = startEncoder(stream.ingestUrl, { size: '640x360', seconds: 90 });
    const beforeResume = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await page.waitForFunction((t) => document.querySelector('video')!.currentTime > t + 6, beforeResume, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as any).airwavePlayer.state)).toBe('live');
    const sessions = (await stack.api.call('GET', `/v1/live-streams/${stream.id}/sessions`)).body.data;
    expect(sessions).toHaveLength(1);
    expect(sessions[0].reconnects).toBe(1);
  } finally {
    await encoder.stop();
    await browser.close();
  }
}, 180_000);

it('plays a signed stream only with a valid token', async () => {
  const stream = (
    await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Private', playbackPolicy: 'signed', renditions: ['360p'], reconnectWindowSeconds: 0 } })
  ).body;
  const key = (await stack.api.call('POST', '/v1/signing-keys')).body;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: key.id })
    .setSubject(stream.playbackId)
    .setAudience('v')
    .setExpirationTime('10m')
    .sign(createPrivateKey(key.privateKey));
  const browser = await launchChromium();
  const encoder = startEncoder(stream.ingestUrl, { size: '640x360', seconds: 90 });
  try {
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'active', 60_000, 'stream active');
    expect((await fetch(stream.playback.hlsUrl)).status).toBe(403);
    expect((await fetch(`${stream.playback.hlsUrl}?token=${token}`)).status).toBe(200);

    const page = await browser.newPage();
    const refused: number[] = [];
    page.on('response', (r) => r.url().includes('/cdn/') && r.status() === 403 && refused.push(r.status()));
    await page.goto(`${stack.apiUrl}/play/${stream.playbackId}`);
    await page.waitForFunction(() => (window as any).airwavePlayer?.state === 'live', undefined, { timeout: 30_000 });
    await waitFor(() => refused.length > 0, 20_000, 'the edge refused the player without a token');
    expect(await page.evaluate(() => document.querySelector('video')!.currentTime)).toBe(0);

    await page.goto(`${stack.apiUrl}/play/${stream.playbackId}?token=${token}`);
    await page.waitForFunction(() => document.querySelector('video')!.currentTime > 2, undefined, { timeout: 40_000 });
  } finally {
    await encoder.stop();
    await browser.close();
  }
}, 180_000);

it('answers 404 for an unknown playback id', async () => {
  const res = await fetch(`${stack.apiUrl}/play/${'x'.repeat(32)}`);
  expect(res.status).toBe(404);
});
