// API keys as a resource: the secret once, scopes enforced on every route, no way to lock a project
// out by deleting the key in use, revocation at once in this process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(import.meta.filename);
});
afterAll(() => api?.close());

const createKey = async (scopes: string[], key?: string) => api.call('POST', '/v1/api-keys', { body: { name: `${scopes.join('+')} key`, scopes }, key });

describe('API keys', () => {
  it('shows the secret once, then lists the key by its prefix with when it was last used', async () => {
    const created = await createKey(['read']);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'read key', scopes: ['read'], lastUsedAt: null });
    expect(created.body.id).toMatch(/^key_/);
    expect(created.body.secret).toMatch(/^aw_sk_/);
    expect(created.body.secret.startsWith(created.body.prefix.replace('…', ''))).toBe(true);

    expect((await api.call('GET', '/v1/live-streams', { key: created.body.secret })).status).toBe(200);
    // lastUsedAt is written beside the request, not in its way: it shows up a moment later.
    let listed: Record<string, unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      listed = (await api.call('GET', '/v1/api-keys')).body.data;
      if (listed.find((k) => k.id === created.body.id)?.lastUsedAt) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.parse(listed.find((k) => k.id === created.body.id)?.lastUsedAt as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(listed)).not.toContain(created.body.secret);
    expect(listed.every((k) => !('secret' in k))).toBe(true);
    expect((await api.call('GET', `/v1/api-keys/${created.body.id}`)).body).toMatchObject({ id: created.body.id, prefix: created.body.prefix });
  });

  it('a read key reads but cannot create, change or delete anything', async () => {
    const read = (await createKey(['read'])).body.secret;
    const stream = (await api.call('POST', '/v1/live-streams', { body: { name: 'Scoped' } })).body;
    expect((await api.call('GET', `/v1/live-streams/${stream.id}`, { key: read })).status).toBe(200);
    for (const [method, url, body, needed] of [
      ['POST', '/v1/live-streams', { name: 'nope' }, 'write'],
      ['PATCH', `/v1/live-streams/${stream.id}`, { name: 'renamed' }, 'write'],
      ['DELETE', `/v1/live-streams/${stream.id}`, undefined, 'write'],
      ['POST', '/v1/api-keys', { name: 'escalate', scopes: ['write'] }, 'write'],
      ['POST', '/v1/playback-tokens', { playbackId: stream.playbackId }, 'playback'],
    ] as const) {
      const res = await api.call(method, url, { key: read, body });
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'insufficient_scope' });
      expect(res.body.error.message).toContain(`"${needed}"`);
    }
    expect((await api.call('GET', `/v1/live-streams/${stream.id}`)).body.name).toBe('Scoped');
  });

  it('a playback key mints playback tokens and nothing else', async () => {
    const playback = (await createKey(['playback'])).body.secret;
    const stream = (await api.call('POST', '/v1/live-streams', { body: { name: 'Signed', playbackPolicy: 'signed' } })).body;
    const minted = await api.call('POST', '/v1/playback-tokens', { key: playback, body: { playbackId: stream.playbackId } });
    expect(minted.status).toBe(201);
    expect(minted.body.token.split('.')).toHaveLength(3);
    expect((await api.call('GET', '/v1/live-streams', { key: playback })).body.error.code).toBe('insufficient_scope');
  });

  it('a key grants only the scopes it holds; scopes are validated', async () => {
    const readAndPlayback = (await createKey(['read', 'playback'])).body.secret;
    const escalate = await createKey(['write'], readAndPlayback);
    expect(escalate.status).toBe(403);
    expect(escalate.body.error.code).toBe('insufficient_scope');
    for (const scopes of [[], ['admin'], ['read', 'read']]) {
      const res = await createKey(scopes);
      expect(res.status, JSON.stringify(scopes)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('refuses to delete the key in use unless another write key exists; a deleted key stops at once', async () => {
    const other = await api.newProject('isolated');
    const self = (await api.call('GET', '/v1/api-keys', { key: other })).body.data;
    expect(self).toHaveLength(1);
    const refused = await api.call('DELETE', `/v1/api-keys/${self[0].id}`, { key: other });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('last_write_key');
    // Another project's key is not even visible.
    expect((await api.call('DELETE', `/v1/api-keys/${self[0].id}`)).status).toBe(404);

    const second = (await api.call('POST', '/v1/api-keys', { key: other, body: { name: 'rotated', scopes: ['write'] } })).body;
    expect((await api.call('DELETE', `/v1/api-keys/${self[0].id}`, { key: other })).status).toBe(204);
    const gone = await api.call('GET', '/v1/live-streams', { key: other });
    expect(gone.status).toBe(401);
    expect((await api.call('GET', '/v1/api-keys', { key: second.secret })).body.data.map((k: { id: string }) => k.id)).toEqual([second.id]);
  });

  it('names the scope of every operation in the OpenAPI document', async () => {
    const spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.paths['/v1/api-keys'].get.security).toEqual([{ apiKey: ['read'] }]);
    expect(spec.paths['/v1/live-streams'].post.security).toEqual([{ apiKey: ['write'] }]);
    expect(spec.paths['/v1/playback-tokens'].post.security).toEqual([{ apiKey: ['playback'] }]);
    expect(spec.paths['/v1/live-streams'].post.responses['403']).toBeDefined();
  });
});
