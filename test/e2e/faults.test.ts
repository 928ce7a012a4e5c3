// Dependencies fail mid-broadcast; viewers and app developers see it recover by itself, and nothing
// is lost: the S3 API down for 20 s, a webhook receiver down for its first five attempts.
import { createServer } from 'node:http';
import HLS from 'hls-parser';
import { expect, it } from 'vitest';
import { ephemeralPort } from '../../scripts/up/net.js';
import { expectUnbroken, lastSegment, readyRecording, startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);
const status = async (id: string) => (await stack.api.call('GET', `/v1/live-streams/${id}`)).body.status as string;

it('the S3 API down for 20 s mid-broadcast: segments wait on disk, the live playlist catches up, the recording has no gap', async () => {
  const s = (
    await stack.api.call('POST', '/v1/live-streams', { body: { name: 'storage outage', renditions: ['240p'], latencyMode: 'low', reconnectWindowSeconds: 0 } })
  ).body;
  const encoder = startEncoder(s.ingestUrl, {
    size: '320x240',
    seconds: 45,
    videoCodec: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p'],
  });
  const started = Date.now();
  try {
    const active = await waitFor(
      async () => {
        const got = (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body;
        return got.status === 'active' && got;
      },
      60_000,
      'active',
    );
    const mediaUrl = s.playback.hlsUrl.replace('index.m3u8', '240p/index.m3u8');
    await new Promise((r) => setTimeout(r, 3000));

    await stack.storage.pause();
    const during = await fetch(mediaUrl);
    expect(during.status).toBe(503); // the edge says "retry", players do
    expect(during.headers.get('retry-after')).toBe('1');
    await during.arrayBuffer();
    await new Promise((r) => setTimeout(r, 20_000));
    await stack.storage.resume();

    // The backlog goes up in order and the live edge is near real time again.
    await waitFor(
      async () => {
        const res = await fetch(mediaUrl);
        if (!res.ok) return false;
        const p = HLS.parse(await res.text()) as HLS.types.MediaPlaylist;
        const last = lastSegment(p);
        return last?.programDateTime && Date.now() - last.programDateTime.getTime() < 6000;
      },
      30_000,
      'live playlist caught up after the outage',
    );
    expect(await status(s.id)).toBe('active');

    expect(await encoder.exited).toBe(0);
    const ranFor = (Date.now() - started) / 1000;
    const { asset, vod } = await readyRecording(stack, active.activeAssetId, '240p');
    expectUnbroken(vod);
    // The encoder sent 45 s; the recording starts at its first keyframe after the publish began.
    expect(asset.durationSeconds).toBeGreaterThan(40);
    expect(asset.durationSeconds).toBeLessThanOrEqual(Math.min(45.5, ranFor));
  } finally {
    await encoder.stop();
    await stack.storage.resume();
  }
}, 180_000);

it('a webhook receiver down for its first five attempts gets the event once it is back, with exactly one success recorded', async () => {
  const port = await ephemeralPort();
  const hook = (await stack.api.call('POST', '/v1/webhooks', { body: { url: `http://127.0.0.1:${port}/hooks`, events: ['live_stream.created'] } })).body;
  const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'webhook outage' } })).body;
  const deliveries = async () =>
    (await stack.api.call('GET', `/v1/webhooks/${hook.id}/deliveries?limit=100`)).body.data as {
      eventId: string;
      outcome: string;
      attempt: number;
      error: string | null;
    }[];
  await waitFor(async () => (await deliveries()).filter((d) => d.outcome === 'failed').length >= 5, 60_000, 'five failed attempts');

  const received: { id: string; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received.push({ id: String(req.headers['webhook-id']), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
  try {
    const all = await waitFor(
      async () => {
        const d = await deliveries();
        return d.some((x) => x.outcome === 'succeeded') && d;
      },
      90_000,
      'delivered after the receiver came back',
    );
    const failed = all.filter((d) => d.outcome === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed.every((d) => /ECONNREFUSED/.test(d.error ?? ''))).toBe(true);
    expect(all.filter((d) => d.outcome === 'succeeded')).toHaveLength(1);
    expect(received).toHaveLength(1);
    expect(received[0]!.id).toBe(all[0]!.eventId);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'live_stream.created', data: { id: s.id } });
  } finally {
    await new Promise((r) => receiver.close(r));
  }
}, 150_000);
