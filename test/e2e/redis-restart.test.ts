// Redis (queues, session control, rate limits) restarted mid-broadcast, on a private redis-server so
// other test files keep theirs: the broadcast keeps going, the pipeline recovers by itself, and an
// event committed while Redis was down is still delivered (the outbox).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReceiver } from '../../apps/worker/test/receiver.js';
import { ephemeralPort } from '../../scripts/up/net.js';
import { lastSegment, startEncoder, startStack, waitFor, type Stack } from './stack.js';

let redisPort = 0;
let redisDir = '';
let redis: ChildProcess | undefined;
let stack: Stack;

async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
    { stdio: 'ignore' },
  );
  await waitFor(
    async () => {
      const r = spawn('redis-cli', ['-p', String(redisPort), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      r.stdout!.on('data', (d: Buffer) => (out += d));
      await new Promise((res) => r.once('exit', res));
      return out.trim() === 'PONG';
    },
    10_000,
    'redis up',
  );
}

beforeAll(async () => {
  redisPort = await ephemeralPort();
  redisDir = await mkdtemp(path.join(os.tmpdir(), 'airwave-redis-'));
  await startRedis();
  stack = await startStack(import.meta.filename, { REDIS_URL: `redis://127.0.0.1:${redisPort}` });
}, 90_000);
afterAll(async () => {
  await stack?.close();
  redis?.kill('SIGKILL');
  await rm(redisDir, { recursive: true, force: true });
});

it('a Redis restart mid-broadcast: the stream stays live, the ladder continues, webhooks are all delivered', async () => {
  const rx = await startReceiver();
  await stack.api.call('POST', '/v1/webhooks', { body: { url: rx.url, events: ['live_stream.updated', 'live_stream.active'] } });
  const s = (
    await stack.api.call('POST', '/v1/live-streams', { body: { name: 'redis restart', renditions: ['240p'], latencyMode: 'low', reconnectWindowSeconds: 30 } })
  ).body;
  const encoder = startEncoder(s.ingestUrl, { size: '320x240', seconds: 90 });
  const mediaUrl = s.playback.hlsUrl.replace('index.m3u8', '240p/index.m3u8');
  const newest = async () => {
    const res = await fetch(mediaUrl).catch(() => undefined);
    if (!res?.ok) return undefined;
    const p = HLS.parse(await res.text()) as HLS.types.MediaPlaylist;
    return lastSegment(p)?.uri;
  };
  try {
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'active', 60_000, 'active');
    redis!.kill('SIGKILL');
    await new Promise((r) => redis!.once('exit', r));
    // While Redis is down the API still takes changes: the event waits in the outbox.
    const patched = await stack.api.call('PATCH', `/v1/live-streams/${s.id}`, { body: { name: 'renamed during the outage' } });
    expect(patched.status).toBe(200);
    await new Promise((r) => setTimeout(r, 5000));
    await startRedis();

    // The ladder keeps producing: the playlist moves on after Redis is back.
    const before = await waitFor(newest, 30_000, 'playlist readable');
    await waitFor(
      async () => {
        const now = await newest();
        return now !== undefined && now !== before;
      },
      30_000,
      'new segments after the restart',
    );
    expect((await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe('active');
    const delivered = await waitFor(
      () => rx.received.map((r) => JSON.parse(r.body)).find((e) => e.type === 'live_stream.updated' && e.data.name === 'renamed during the outage'),
      60_000,
      'the outage-time event delivered',
    );
    expect(delivered.data.id).toBe(s.id);
    expect(rx.received.some((r) => JSON.parse(r.body).type === 'live_stream.active')).toBe(true);
  } finally {
    await encoder.stop();
    await rx.close();
  }
}, 180_000);

it('Redis down at the moment the encoder leaves, back 10 s later: the window still ends, the recording is ready once, asset.ready is delivered once', async () => {
  const rx = await startReceiver();
  await stack.api.call('POST', '/v1/webhooks', { body: { url: rx.url, events: ['asset.ready', 'live_stream.idle'] } });
  const s = (
    await stack.api.call('POST', '/v1/live-streams', {
      body: { name: 'leaves during an outage', renditions: ['240p'], latencyMode: 'low', reconnectWindowSeconds: 3 },
    })
  ).body;
  const encoder = startEncoder(s.ingestUrl, { size: '320x240', seconds: 90 });
  try {
    const active = await waitFor(
      async () => {
        const got = (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body;
        return got.status === 'active' && got;
      },
      60_000,
      'active',
    );
    await new Promise((r) => setTimeout(r, 4000)); // a few segments to record
    // Redis goes away, and the encoder leaves while it is gone.
    redis!.kill('SIGKILL');
    await new Promise((r) => redis!.once('exit', r));
    await encoder.stop();
    // The transition commits in Postgres (the stream waits in its window); its expiry job cannot be queued yet.
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'reconnecting', 20_000, 'reconnecting');
    const pending = await stack.api.env.db.outboxMessage.findMany({ where: { dispatchedAt: null, name: 'reconnectWindow' } });
    expect(pending.map((m) => (m.payload as { sessionId: string }).sessionId)).toContain(active.currentSessionId);
    await new Promise((r) => setTimeout(r, 10_000));
    await startRedis();

    // The window (long over by now) ends the session, and the recording is finalized, exactly once.
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'idle', 60_000, 'idle after the outage');
    const asset = await waitFor(
      async () => {
        const list = (await stack.api.call('GET', `/v1/assets?liveStreamId=${s.id}`)).body.data;
        return list[0]?.status === 'ready' && list[0];
      },
      90_000,
      'recording ready',
    );
    expect(asset.durationSeconds).toBeGreaterThan(3);
    const readyFor = () =>
      rx.received.map((r) => ({ id: r.headers['webhook-id'], e: JSON.parse(r.body) })).filter(({ e }) => e.type === 'asset.ready' && e.data.id === asset.id);
    await waitFor(() => readyFor().length > 0, 60_000, 'asset.ready delivered');
    await new Promise((r) => setTimeout(r, 3000)); // a duplicate would arrive by now
    expect(readyFor()).toHaveLength(1);
    const sessions = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
    expect(sessions[0]).toMatchObject({ status: 'ended', endReason: 'reconnect_window_expired' });
  } finally {
    await encoder.stop();
    await rx.close();
  }
}, 240_000);
