// The ingest's view of the API: authorize every publish, then report start, heartbeats and stop.
import { createRedis, ingestControlChannel } from '@airwave/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(import.meta.filename);
});
afterAll(() => api?.close());

const TOKEN = 'test-internal-token-0123456789';
const internal = (path: string, body?: unknown, token = TOKEN) =>
  api.call('POST', `/internal${path}`, { key: null, headers: { authorization: `Bearer ${token}` }, body });
const authorize = (streamKey: string, node = 'ingest-a') =>
  internal('/ingest/authorize', { streamKey, ingestNodeId: node, ingestAddress: `rtmp://127.0.0.1:1935/live`, clientIp: '203.0.113.7' });

async function newStream(body: Record<string, unknown> = {}) {
  return (await api.call('POST', '/v1/live-streams', { body: { name: 'Ingest test', ...body } })).body;
}
const getStream = async (id: string) => (await api.call('GET', `/v1/live-streams/${id}`)).body;

describe('POST /internal/ingest/authorize', () => {
  it('requires the internal token', async () => {
    const s = await newStream();
    expect(
      (await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'a', ingestAddress: 'rtmp://x/live' }, 'wrong-token-0000000000')).status,
    ).toBe(401);
    expect((await api.call('POST', '/internal/ingest/authorize', { body: { streamKey: s.streamKey }, key: api.apiKey })).status).toBe(401);
  });

  it('allows a valid key, moves the stream to connected and opens a session on that node', async () => {
    const s = await newStream({ latencyMode: 'low', renditions: ['720p', '360p'], record: false });
    const res = await authorize(s.streamKey);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      allow: true,
      liveStreamId: s.id,
      playbackId: s.playbackId,
      renditions: ['720p', '360p'],
      latencyMode: 'low',
      record: false,
      resumed: false,
    });
    expect(res.body.sessionId).toMatch(/^lss_/);
    const after = await getStream(s.id);
    expect(after.status).toBe('connected');
    expect(after.currentSessionId).toBe(res.body.sessionId);
    const sessions = (await api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ id: res.body.sessionId, status: 'connected', ingestNodeId: 'ingest-a' });
  });

  it('denies an unknown key, a disabled stream, a deleted stream and a second publisher', async () => {
    expect((await authorize('aw_live_doesnotexist')).body).toEqual({ allow: false, reason: 'unknown_key' });

    const disabled = await newStream();
    await api.call('POST', `/v1/live-streams/${disabled.id}/disable`);
    expect((await authorize(disabled.streamKey)).body).toEqual({ allow: false, reason: 'disabled' });

    const deleted = await newStream();
    await api.call('DELETE', `/v1/live-streams/${deleted.id}`);
    expect((await authorize(deleted.streamKey)).body).toEqual({ allow: false, reason: 'deleted' });

    const live = await newStream();
    expect((await authorize(live.streamKey)).body.allow).toBe(true);
    expect((await authorize(live.streamKey, 'ingest-b')).body).toEqual({ allow: false, reason: 'already_live' });
  });

  it('lets exactly one of two racing encoders in', async () => {
    const s = await newStream();
    const results = await Promise.all([authorize(s.streamKey, 'a'), authorize(s.streamKey, 'b'), authorize(s.streamKey, 'c')]);
    expect(results.filter((r) => r.body.allow)).toHaveLength(1);
    expect(results.filter((r) => r.body.reason === 'already_live')).toHaveLength(2);
  });

  it('refuses the old key after reset-stream-key', async () => {
    const s = await newStream();
    const fresh = (await api.call('POST', `/v1/live-streams/${s.id}/reset-stream-key`)).body;
    expect((await authorize(s.streamKey)).body).toEqual({ allow: false, reason: 'unknown_key' });
    expect((await authorize(fresh.streamKey)).body.allow).toBe(true);
  });
});

describe('session reports', () => {
  it('records heartbeat stats as the session health', async () => {
    const s = await newStream();
    const { sessionId } = (await authorize(s.streamKey)).body;
    expect((await internal(`/ingest/sessions/${sessionId}/started`, {})).body).toEqual({ keep: true });
    const stats = { videoCodec: 'h264', audioCodec: 'aac', width: 1280, height: 720, fps: 30, bitrateKbps: 2500, keyframeIntervalSeconds: 2 };
    expect((await internal(`/ingest/sessions/${sessionId}/heartbeat`, { stats })).body).toEqual({ keep: true });
    const sessions = (await api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
    expect(sessions[0].stats).toEqual(stats);
    expect(sessions[0].health).toEqual({ verdict: 'healthy', reasons: [] });
  });

  it('judges health from the stats and warns by webhook event when it gets worse', async () => {
    const s = await newStream();
    const { sessionId } = (await authorize(s.streamKey)).body;
    const sparse = { videoCodec: 'h264', width: 1280, height: 720, fps: 30, bitrateKbps: 150, keyframeIntervalSeconds: 10 };
    await internal(`/ingest/sessions/${sessionId}/heartbeat`, { stats: sparse });
    const session = (await api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
    expect(session.health.verdict).toBe('degraded');
    expect(session.health.reasons.map((r: { code: string }) => r.code).sort()).toEqual([
      'audio_missing',
      'bitrate_below_lowest_rendition',
      'keyframe_interval_too_long',
    ]);
    const warnings = await api.env.db.event.findMany({ where: { type: 'live_stream.warning', payload: { path: ['data', 'id'], equals: s.id } } });
    expect(warnings).toHaveLength(1);
    // The same verdict again is not a new warning.
    await internal(`/ingest/sessions/${sessionId}/heartbeat`, { stats: sparse });
    expect(await api.env.db.event.count({ where: { type: 'live_stream.warning', payload: { path: ['data', 'id'], equals: s.id } } })).toBe(1);
  });

  it('a publisher that stops enters the reconnect window, and a reconnect resumes the same session', async () => {
    const s = await newStream({ reconnectWindowSeconds: 30 });
    const first = (await authorize(s.streamKey)).body;
    expect((await internal(`/ingest/sessions/${first.sessionId}/stopped`)).body).toEqual({ status: 'reconnecting' });
    expect((await getStream(s.id)).status).toBe('reconnecting');
    const again = (await authorize(s.streamKey, 'ingest-b')).body;
    expect(again).toMatchObject({ allow: true, sessionId: first.sessionId, resumed: true });
    const sessions = (await api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ reconnects: 1, ingestNodeId: 'ingest-b', status: 'connected' });
  });

  it('with no reconnect window a stop ends the session at once', async () => {
    const s = await newStream({ reconnectWindowSeconds: 0 });
    const { sessionId } = (await authorize(s.streamKey)).body;
    expect((await internal(`/ingest/sessions/${sessionId}/stopped`)).body).toEqual({ status: 'idle' });
    const session = (await api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
    expect(session).toMatchObject({ status: 'ended', endReason: 'publisher_disconnected' });
    expect((await authorize(s.streamKey)).body.sessionId).not.toBe(sessionId);
  });

  it('a stop for an unknown or ended session changes nothing', async () => {
    expect((await internal('/ingest/sessions/lss_0000000000000000000000/stopped')).body).toEqual({ status: 'ignored' });
  });
});

describe('owner actions disconnect the publisher', () => {
  async function liveStream() {
    const s = await newStream();
    const { sessionId } = (await authorize(s.streamKey, 'ingest-z')).body;
    return { s, sessionId };
  }

  it('complete ends the session, tells the ingest to stop it, and the heartbeat says so too', async () => {
    const sub = createRedis(api.env.config.redis.url, 'worker');
    const messages: any[] = [];
    await sub.subscribe(ingestControlChannel(api.env.config.redis.prefix));
    sub.on('message', (_c, m) => messages.push(JSON.parse(m)));
    try {
      const { s, sessionId } = await liveStream();
      const res = await api.call('POST', `/v1/live-streams/${s.id}/complete`);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('idle');
      await new Promise((r) => setTimeout(r, 100));
      expect(messages).toContainEqual({ type: 'stop-session', sessionId, ingestNodeId: 'ingest-z', reason: 'completed' });
      expect((await internal(`/ingest/sessions/${sessionId}/heartbeat`, {})).body).toEqual({ keep: false });
      expect((await api.call('POST', `/v1/live-streams/${s.id}/complete`)).status).toBe(409);
    } finally {
      sub.disconnect();
    }
  });

  it('disable ends the session and refuses the next publish; enable lets it back', async () => {
    const { s, sessionId } = await liveStream();
    expect((await api.call('POST', `/v1/live-streams/${s.id}/disable`)).body.status).toBe('disabled');
    expect((await internal(`/ingest/sessions/${sessionId}/heartbeat`, {})).body).toEqual({ keep: false });
    expect((await authorize(s.streamKey)).body).toEqual({ allow: false, reason: 'disabled' });
    await api.call('POST', `/v1/live-streams/${s.id}/enable`);
    expect((await authorize(s.streamKey)).body.allow).toBe(true);
  });

  it('delete ends the session and the key is refused as deleted', async () => {
    const { s, sessionId } = await liveStream();
    expect((await api.call('DELETE', `/v1/live-streams/${s.id}`)).status).toBe(204);
    expect((await internal(`/ingest/sessions/${sessionId}/heartbeat`, {})).body).toEqual({ keep: false });
    expect((await authorize(s.streamKey)).body).toEqual({ allow: false, reason: 'deleted' });
  });
});
