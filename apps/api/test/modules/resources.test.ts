// Simulcast targets, assets and webhook endpoints: CRUD, tenancy and the SSRF guard.
import { newId, newPlaybackId } from '@airwave/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
let strict: TestApi;
beforeAll(async () => {
  [api, strict] = await Promise.all([startApi(import.meta.filename), startApi(import.meta.filename, { ALLOW_PRIVATE_TARGETS: 'false' })]);
});
afterAll(async () => {
  await api?.close();
  await strict?.close();
});

const newStream = async (t: TestApi, body: Record<string, unknown> = {}) =>
  (await t.call('POST', '/v1/live-streams', { body: { name: 'Relay', ...body } })).body;

describe('simulcast targets', () => {
  it('are created with the stream or later, listed, read and deleted; their key is never returned', async () => {
    const s = await newStream(api, { simulcastTargets: [{ url: 'rtmp://127.0.0.1/app', streamKey: 'yt-secret-key' }] });
    const base = `/v1/live-streams/${s.id}/simulcast-targets`;
    let list = (await api.call('GET', base)).body.data;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ url: 'rtmp://127.0.0.1/app', hasStreamKey: true, status: 'idle' });
    expect(JSON.stringify(list)).not.toContain('yt-secret-key');

    const added = await api.call('POST', base, { body: { url: 'rtmps://127.0.0.1:443/live2', passthrough: 'twitch' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ hasStreamKey: false, passthrough: 'twitch' });
    expect((await api.call('GET', `${base}/${added.body.id}`)).body.id).toBe(added.body.id);
    expect((await api.call('DELETE', `${base}/${added.body.id}`)).status).toBe(204);
    expect((await api.call('GET', `${base}/${added.body.id}`)).status).toBe(404);
    list = (await api.call('GET', base)).body.data;
    expect(list).toHaveLength(1);
  });

  it('refuses a non-RTMP url', async () => {
    const s = await newStream(api);
    const res = await api.call('POST', `/v1/live-streams/${s.id}/simulcast-targets`, { body: { url: 'http://example.com/live' } });
    expect(res.status).toBe(400);
  });

  it('refuses private and metadata addresses unless ALLOW_PRIVATE_TARGETS', async () => {
    const s = await newStream(strict);
    for (const url of ['rtmp://127.0.0.1/live', 'rtmp://10.1.2.3/live', 'rtmp://[::1]/live', 'rtmp://169.254.169.254/live']) {
      const res = await strict.call('POST', `/v1/live-streams/${s.id}/simulcast-targets`, { body: { url } });
      expect(res.status, url).toBe(400);
      expect(res.body.error.details[0].field).toBe('url');
    }
    // Even a local stack refuses the cloud metadata endpoint.
    const local = await newStream(api);
    expect((await api.call('POST', `/v1/live-streams/${local.id}/simulcast-targets`, { body: { url: 'rtmp://169.254.169.254/x' } })).status).toBe(400);
  });
});

describe('pull sources', () => {
  it('follow the same rules: private addresses only with ALLOW_PRIVATE_TARGETS, metadata never; credentials come back masked', async () => {
    for (const url of ['rtsp://admin:pw@192.168.1.64:554/Streaming/Channels/101', 'srt://127.0.0.1:9000', 'rtsp://169.254.169.254/x']) {
      const res = await strict.call('POST', '/v1/live-streams', { body: { name: 'cam', input: { type: 'pull', url } } });
      expect(res.status, url).toBe(400);
      expect(res.body.error.details[0].field).toBe('input.url');
      expect(res.body.error.message).toMatch(/not allowed/);
    }
    expect((await api.call('POST', '/v1/live-streams', { body: { name: 'cam', input: { type: 'pull', url: 'rtsp://169.254.169.254/x' } } })).status).toBe(400);
    const ok = await api.call('POST', '/v1/live-streams', {
      body: { name: 'cam', input: { type: 'pull', url: 'rtsp://admin:hunter2hunter2@192.168.1.64:554/live?token=abc' } },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.input).toEqual({ type: 'pull', url: 'rtsp://admin:***@192.168.1.64:554/live?token=***', state: 'connecting', error: null });
    expect(JSON.stringify(ok.body)).not.toContain('hunter2');
    // Back to push: the source is forgotten.
    const push = await api.call('PATCH', `/v1/live-streams/${ok.body.id}`, { body: { input: { type: 'push' } } });
    expect(push.body.input).toEqual({ type: 'push' });
    expect((await api.env.db.liveStream.findUnique({ where: { id: ok.body.id } }))?.inputUrlEncrypted).toBeNull();
  });
});

describe('assets', () => {
  async function seedAsset(projectId: string, status: 'preparing' | 'ready' = 'ready') {
    return api.env.db.asset.create({
      data: {
        id: newId('asset'),
        projectId,
        status,
        playbackId: newPlaybackId(),
        durationSeconds: status === 'ready' ? 61.5 : null,
        mp4Ready: status === 'ready',
      },
    });
  }

  it('lists newest first, gets one with its playback URLs, deletes it', async () => {
    const a = await seedAsset(api.projectId, 'preparing');
    const b = await seedAsset(api.projectId);
    const list = (await api.call('GET', '/v1/assets?limit=2')).body;
    expect(list.data.map((x: any) => x.id)).toEqual([b.id, a.id]);
    const got = (await api.call('GET', `/v1/assets/${b.id}`)).body;
    expect(got).toMatchObject({ status: 'ready', durationSeconds: 61.5, playback: { hlsUrl: `http://localhost:3000/cdn/vod/${b.id}/index.m3u8` } });
    expect(got.mp4Url).toContain(`/vod/${b.id}/`);
    expect((await api.call('GET', `/v1/assets/${a.id}`)).body.mp4Url).toBeNull();
    expect((await api.call('DELETE', `/v1/assets/${b.id}`)).status).toBe(204);
    expect((await api.call('GET', `/v1/assets/${b.id}`)).status).toBe(404);
    expect((await api.call('DELETE', `/v1/assets/${b.id}`)).status).toBe(404);
  });

  it('hides another project’s asset', async () => {
    const a = await seedAsset(api.projectId);
    const other = await api.newProject('asset thief');
    expect((await api.call('GET', `/v1/assets/${a.id}`, { key: other })).status).toBe(404);
    expect((await api.call('DELETE', `/v1/assets/${a.id}`, { key: other })).status).toBe(404);
  });
});

describe('webhook endpoints', () => {
  it('shows the secret only once, lists, updates and deletes', async () => {
    const created = await api.call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hook', events: ['live_stream.idle'] } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const got = (await api.call('GET', `/v1/webhooks/${created.body.id}`)).body;
    expect(got.secret).toBeUndefined();
    expect((await api.call('GET', '/v1/webhooks')).body.data.map((w: any) => w.id)).toContain(created.body.id);
    const patched = await api.call('PATCH', `/v1/webhooks/${created.body.id}`, { body: { enabled: false, events: [] } });
    expect(patched.body).toMatchObject({ enabled: false, events: [] });
    expect((await api.call('DELETE', `/v1/webhooks/${created.body.id}`)).status).toBe(204);
    expect((await api.call('GET', `/v1/webhooks/${created.body.id}/deliveries`)).status).toBe(404);
  });

  it('refuses an endpoint inside our network unless ALLOW_PRIVATE_TARGETS', async () => {
    const res = await strict.call('POST', '/v1/webhooks', { body: { url: 'http://localhost:8080/hook' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('private or loopback');
  });
});
