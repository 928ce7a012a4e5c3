// Postgres down for 10 s mid-broadcast, on a private server (the machine's shared one serves the
// other test files): readiness fails, the broadcast in progress keeps going, new publishes are
// refused until it is back (fail closed), and afterwards nothing is corrupted or lost.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ephemeralPort } from '../../scripts/up/net.js';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../scripts/up/postgres.js';
import { expectUnbroken, lastSegment, readyRecording, startEncoder, startStack, waitFor, type Stack } from './stack.js';

let pgDir = '';
let postgres: EmbeddedPostgresServer | undefined;
let stack: Stack;

beforeAll(async () => {
  pgDir = await mkdtemp(path.join(os.tmpdir(), 'airwave-pg-'));
  postgres = await startEmbeddedPostgres(pgDir, await ephemeralPort());
  stack = await startStack(import.meta.filename, { DATABASE_URL: postgres.adminUrl.replace(/\/postgres$/, '/airwave_test') });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await postgres?.stop();
  await rm(pgDir, { recursive: true, force: true });
});

const readyz = async () => {
  const res = await fetch(`${stack.apiUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
};

async function newestSegment(url: string): Promise<HLS.types.Segment | undefined> {
  try {
    const res = await fetch(url);
    if (!res.ok) return undefined;
    return lastSegment(HLS.parse(await res.text()) as HLS.types.MediaPlaylist);
  } catch {
    return undefined; // half written, or the local S3 dropped the socket: read again
  }
}

it('Postgres down for 10 s: /readyz 503, the live broadcast keeps going, new publishes are refused until it is back, nothing lost after', async () => {
  const SECONDS = 50;
  const body = { renditions: ['240p'], latencyMode: 'low', reconnectWindowSeconds: 30 };
  const live = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'on air during the outage', ...body } })).body;
  const later = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'goes live during the outage', ...body } })).body;
  const encoder = startEncoder(live.ingestUrl, {
    size: '320x240',
    seconds: SECONDS,
    videoCodec: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p'],
  });
  const mediaUrl = live.playback.hlsUrl.replace('index.m3u8', '240p/index.m3u8');
  let second: ReturnType<typeof startEncoder> | undefined;
  let down = false;
  try {
    const active = await waitFor(
      async () => {
        const s = (await stack.api.call('GET', `/v1/live-streams/${live.id}`)).body;
        return s.status === 'active' && s;
      },
      60_000,
      `active\n${stack.logs.slice(-30).join('\n')}`,
    );
    // A viewer is watching when the database goes away.
    await waitFor(() => newestSegment(mediaUrl), 10_000, 'playing before the outage');
    await new Promise((r) => setTimeout(r, 2000));

    await postgres!.stop();
    down = true;
    const downAt = Date.now();
    // Operators: not ready, and why. App developers: a retryable 503 in the one envelope.
    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.postgres).not.toBe('ok');
    expect(notReady.body.checks.redis).toBe('ok');
    const listed = await stack.api.call('GET', '/v1/live-streams');
    expect(listed.status).toBe(503);
    expect(listed.body.error.code).toBe('service_unavailable');
    expect(listed.headers['retry-after']).toBeDefined();

    // A new encoder is refused (nobody can check its key), without disturbing the one on air.
    second = startEncoder(later.ingestUrl, { size: '320x240', seconds: 30 });
    expect(await second.exited).not.toBe(0);
    expect(stack.logs.some((l) => l.includes('publish refused') && l.includes('api_unreachable'))).toBe(true);

    // Viewers: the broadcast in progress keeps producing segments while the database is down.
    const during = await waitFor(() => newestSegment(mediaUrl), 10_000, 'playlist readable during the outage');
    await waitFor(async () => (await newestSegment(mediaUrl))?.uri !== during.uri, 10_000, 'new segments during the outage');
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - downAt))));
    await postgres!.start();
    down = false;

    await waitFor(async () => (await readyz()).status === 200, 30_000, 'ready again');
    // The encoder that was refused now goes live.
    second = startEncoder(later.ingestUrl, { size: '320x240', seconds: 8 });
    await waitFor(
      async () => (await stack.api.call('GET', `/v1/live-streams/${later.id}`)).body.status === 'active',
      60_000,
      'a new publish goes live after the outage',
    );
    expect(await second.exited).toBe(0);

    // The stream on air never left 'active': the heartbeats missed during the outage did not make
    // it look like its ingest died (checked until the broadcast ends).
    while (encoder.child.exitCode === null) {
      const s = (await stack.api.call('GET', `/v1/live-streams/${live.id}`)).body;
      expect(s.status).toBe('active');
      expect(s.currentSessionId).toBe(active.currentSessionId);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await encoder.exited).toBe(0);

    // Nothing corrupted: one session, and a recording with every segment, in one run, no gap.
    const sessions = (await stack.api.call('GET', `/v1/live-streams/${live.id}/sessions`)).body.data;
    expect(sessions).toHaveLength(1);
    const { asset, vod } = await readyRecording(stack, active.activeAssetId, '240p');
    expectUnbroken(vod);
    expect(asset.durationSeconds).toBeGreaterThan(SECONDS - 3);
    expect(asset.durationSeconds).toBeLessThanOrEqual(SECONDS + 0.5);
  } finally {
    await encoder.stop();
    await second?.stop();
    if (down) await postgres!.start();
  }
}, 180_000);
