import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(import.meta.filename);
});
afterAll(() => api?.close());

const create = (body: Record<string, unknown> = { name: 'Show' }, opts = {}) => api.call('POST', '/v1/live-streams', { body, ...opts });

describe('creating a live stream', () => {
  it('answers 201 with a key, the RTMP URL, the ingest URL and the HLS URL', async () => {
    const res = await create({ name: 'Friday show' });
    expect(res.status).toBe(201);
    const s = res.body;
    expect(s.id).toMatch(/^ls_[0-9A-Za-z]{22}$/);
    expect(s.status).toBe('idle');
    expect(s.streamKey).toMatch(/^aw_live_[A-Za-z0-9_-]{32}$/);
    expect(s.rtmpUrl).toBe('rtmp://localhost:1935/live');
    expect(s.ingestUrl).toBe(`${s.rtmpUrl}/${s.streamKey}`);
    expect(s.playback.hlsUrl).toBe(`http://localhost:3000/cdn/live/${s.playbackId}/index.m3u8`);
    expect(s).toMatchObject({ record: true, playbackPolicy: 'public', latencyMode: 'standard', reconnectWindowSeconds: 60 });
    expect(s.renditions).toEqual(['1080p', '720p', '480p', '360p', '240p']);
    expect(new Date(s.createdAt).toISOString()).toBe(s.createdAt);
  });

  it('keeps only the hash of the stream key in the database, plus an encrypted copy', async () => {
    const { body } = await create();
    const row = await api.env.db.liveStream.findUniqueOrThrow({ where: { id: body.id } });
    expect(JSON.stringify(row)).not.toContain(body.streamKey);
    expect(row.streamKeyPrefix).toBe(`${body.streamKey.slice(0, 12)}…`);
    // The answer is what was stored (the row is written without a read-back).
    const again = (await api.call('GET', `/v1/live-streams/${body.id}`)).body;
    expect(again).toEqual(body);
    expect(row.createdAt.toISOString()).toBe(body.createdAt);
  });

  it('returns the same key again on GET, and a new one after reset-stream-key', async () => {
    const { body } = await create();
    const got = await api.call('GET', `/v1/live-streams/${body.id}`);
    expect(got.body.streamKey).toBe(body.streamKey);
    const reset = await api.call('POST', `/v1/live-streams/${body.id}/reset-stream-key`);
    expect(reset.status).toBe(200);
    expect(reset.body.streamKey).not.toBe(body.streamKey);
  });

  it('orders requested renditions down the ladder', async () => {
    const res = await create({ name: 'x', renditions: ['240p', '720p'] });
    expect(res.body.renditions).toEqual(['720p', '240p']);
  });
});

describe('list, page, patch, delete', () => {
  it('pages newest first with an opaque cursor, stable while new streams arrive', async () => {
    const key = await api.newProject('pager');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create({ name: `s${i}` }, { key })).body.id);
    const p1 = await api.call('GET', '/v1/live-streams?limit=2', { key });
    expect(p1.body.data.map((s: any) => s.id)).toEqual([ids[4], ids[3]]);
    await create({ name: 'inserted meanwhile' }, { key });
    const p2 = await api.call('GET', `/v1/live-streams?limit=2&cursor=${p1.body.nextCursor}`, { key });
    expect(p2.body.data.map((s: any) => s.id)).toEqual([ids[2], ids[1]]);
    const p3 = await api.call('GET', `/v1/live-streams?limit=2&cursor=${p2.body.nextCursor}`, { key });
    expect(p3.body.data.map((s: any) => s.id)).toEqual([ids[0]]);
    expect(p3.body.nextCursor).toBeNull();
  });

  it("shows its five newest recordings (deleted ones left out) and its session's peak, in GET and list alike", async () => {
    const key = await api.newProject('recent');
    const s = (await create({ name: 'recorded' }, { key })).body;
    const db = api.env.db;
    const { projectId } = await db.liveStream.findUniqueOrThrow({ where: { id: s.id } });
    const ids = Array.from({ length: 7 }, (_, i) => `as_recent${i}`);
    for (const [i, id] of ids.entries()) {
      await db.asset.create({
        data: {
          id,
          projectId,
          liveStreamId: s.id,
          playbackId: `pb_recent${i}`,
          createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
          deletedAt: i === 5 ? new Date() : null,
        },
      });
    }
    await db.liveStreamSession.create({ data: { id: 'se_recent', liveStreamId: s.id, ingestNodeId: 'n', ingestAddress: 'rtmp://x', viewersPeak: 7 } });
    await db.liveStream.update({ where: { id: s.id }, data: { currentSessionId: 'se_recent' } });
    const expected = [ids[6], ids[4], ids[3], ids[2], ids[1]];
    const got = (await api.call('GET', `/v1/live-streams/${s.id}`, { key })).body;
    expect(got.recentAssetIds).toEqual(expected);
    expect(got.viewers).toEqual({ current: 0, peak: 7 });
    const listed = (await api.call('GET', '/v1/live-streams', { key })).body.data[0];
    expect(listed).toMatchObject({ id: s.id, recentAssetIds: expected, viewers: { current: 0, peak: 7 } });
  });

  it('filters by status', async () => {
    const key = await api.newProject('filter');
    const a = (await create({ name: 'a' }, { key })).body;
    await create({ name: 'b' }, { key });
    await api.call('POST', `/v1/live-streams/${a.id}/disable`, { key });
    const res = await api.call('GET', '/v1/live-streams?status=disabled', { key });
    expect(res.body.data.map((s: any) => s.id)).toEqual([a.id]);
  });

  it('patches mutable fields', async () => {
    const { body } = await create();
    const res = await api.call('PATCH', `/v1/live-streams/${body.id}`, { body: { name: 'Renamed', latencyMode: 'low', passthrough: 'ref-42' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Renamed', latencyMode: 'low', passthrough: 'ref-42', streamKey: body.streamKey });
  });

  it('deletes: 204, then 404, and gone from the list', async () => {
    const { body } = await create();
    expect((await api.call('DELETE', `/v1/live-streams/${body.id}`)).status).toBe(204);
    const got = await api.call('GET', `/v1/live-streams/${body.id}`);
    expect(got.status).toBe(404);
    expect(got.body.error.code).toBe('not_found');
  });

  it('disables and enables', async () => {
    const { body } = await create();
    const d = await api.call('POST', `/v1/live-streams/${body.id}/disable`);
    expect(d.body.status).toBe('disabled');
    const e = await api.call('POST', `/v1/live-streams/${body.id}/enable`);
    expect(e.body.status).toBe('idle');
  });

  it('complete answers 409 invalid_state when nothing is live', async () => {
    const { body } = await create();
    const res = await api.call('POST', `/v1/live-streams/${body.id}/complete`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_state');
  });

  it('hides another project’s stream behind 404', async () => {
    const { body } = await create();
    const other = await api.newProject('intruder');
    for (const [method, path] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/disable'],
      ['GET', '/sessions'],
    ] as const) {
      const res = await api.call(method, `/v1/live-streams/${body.id}${path}`, { key: other, body: method === 'PATCH' ? { name: 'x' } : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await api.call('GET', `/v1/live-streams/${body.id}`)).status).toBe(200);
  });
});
