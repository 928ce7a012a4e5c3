// Signed playback and allowed origins at the API's playback edge (/cdn), against a real S3 API.
import { createPrivateKey } from 'node:crypto';
import { CACHE_IMMUTABLE, CACHE_PLAYLIST, Storage } from '@airwave/storage';
import { startTestStorage } from '@airwave/testing';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentViewers } from '@airwave/jobs';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
let storage: Awaited<ReturnType<typeof startTestStorage>>;
let s3: Storage;

beforeAll(async () => {
  storage = await startTestStorage();
  api = await startApi(import.meta.filename, storage.env);
  s3 = Storage.fromConfig(api.env.config);
});
afterAll(async () => {
  await api?.close();
  await storage?.close();
});

const MASTER = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n';
const media = (segUri: string) => `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:4.000,\n${segUri}\n`;

/** A stream with a master, a media playlist, a segment and a thumbnail in the bucket. */
async function streamWithMedia(body: Record<string, unknown>) {
  const s = (await api.call('POST', '/v1/live-streams', { body: { name: 'secure', ...body } })).body;
  await s3.put(`live/${s.playbackId}/index.m3u8`, MASTER, CACHE_PLAYLIST);
  await s3.put(`live/${s.playbackId}/360p/index.m3u8`, media('seg_0001.ts'), CACHE_PLAYLIST);
  await s3.put(`live/${s.playbackId}/360p/seg_0001.ts`, Buffer.alloc(188 * 10, 0x47), CACHE_IMMUTABLE);
  await s3.put(`thumbs/${s.playbackId}.jpg`, Buffer.from([0xff, 0xd8, 0xff, 0xd9]), CACHE_PLAYLIST);
  return s;
}

const get = (url: string, headers: Record<string, string> = {}) => api.app.inject({ method: 'GET', url, headers });
const code = (res: { body: string }) => JSON.parse(res.body).error.code;

async function newKey(t: TestApi = api, key?: string) {
  const res = await t.call('POST', '/v1/signing-keys', { key });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, privateKey: createPrivateKey(res.body.privateKey as string) };
}

function sign(key: { id: string; privateKey: ReturnType<typeof createPrivateKey> }, claims: { sub: string; aud?: string; exp?: number }) {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: key.id })
    .setSubject(claims.sub)
    .setAudience(claims.aud ?? 'v');
  jwt.setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600);
  return jwt.sign(key.privateKey);
}

describe('signing keys', () => {
  it('shows the private key once, lists without it, and deletes', async () => {
    const created = await api.call('POST', '/v1/signing-keys');
    expect(created.status).toBe(201);
    expect(created.body.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(created.body.algorithm).toBe('RS256');
    const list = await api.call('GET', '/v1/signing-keys');
    expect(list.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(list.body)).not.toContain('PRIVATE KEY');
    expect((await api.call('GET', `/v1/signing-keys/${created.body.id}`)).body).toEqual({ id: created.body.id, createdAt: created.body.createdAt });
    const other = await api.newProject('other keys');
    expect((await api.call('GET', `/v1/signing-keys/${created.body.id}`, { key: other })).status).toBe(404);
    expect((await api.call('DELETE', `/v1/signing-keys/${created.body.id}`)).status).toBe(204);
    expect((await api.call('GET', `/v1/signing-keys/${created.body.id}`)).status).toBe(404);
  });
});

describe('signed playback', () => {
  it('refuses every object without a valid token and plays with one', async () => {
    const s = await streamWithMedia({ playbackPolicy: 'signed' });
    const other = await streamWithMedia({ playbackPolicy: 'signed' });
    const key = await newKey();
    const master = `/cdn/live/${s.playbackId}/index.m3u8`;

    for (const path of [master, `/cdn/live/${s.playbackId}/360p/index.m3u8`, `/cdn/live/${s.playbackId}/360p/seg_0001.ts`, `/cdn/thumbs/${s.playbackId}.jpg`]) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(403);
      expect(code(res)).toBe('playback_token_required');
    }
    const expired = await sign(key, { sub: s.playbackId, exp: Math.floor(Date.now() / 1000) - 5 });
    expect(code(await get(`${master}?token=${expired}`))).toBe('playback_token_expired');
    const othersToken = await sign(key, { sub: other.playbackId });
    expect((await get(`${master}?token=${othersToken}`)).statusCode).toBe(403);
    const thumbToken = await sign(key, { sub: s.playbackId, aud: 't' });
    expect((await get(`${master}?token=${thumbToken}`)).statusCode).toBe(403);
    expect((await get(`/cdn/thumbs/${s.playbackId}.jpg?token=${thumbToken}`)).statusCode).toBe(200);

    const token = await sign(key, { sub: s.playbackId });
    const ok = await get(`${master}?token=${token}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toContain('mpegurl');
    expect(ok.headers['cache-control']).toBe('private, max-age=1');
    // Every child URI carries the token, so a stock player needs nothing else.
    expect(ok.body).toContain(`360p/index.m3u8?token=${token}`);
    const child = await get(`/cdn/live/${s.playbackId}/360p/index.m3u8?token=${token}`);
    expect(child.body).toContain(`seg_0001.ts?token=${token}`);
    const seg = await get(`/cdn/live/${s.playbackId}/360p/seg_0001.ts?token=${token}`);
    expect(seg.statusCode).toBe(200);
    expect(seg.rawPayload.length).toBe(1880);
    expect(seg.headers['content-type']).toBe('video/mp2t');
  });

  it('refuses alg none, tampered payloads, foreign and deleted keys', async () => {
    const s = await streamWithMedia({ playbackPolicy: 'signed' });
    const master = `/cdn/live/${s.playbackId}/index.m3u8`;
    const key = await newKey();
    const unsigned = new UnsecuredJWT({}).setSubject(s.playbackId).setAudience('v').setExpirationTime('10m').encode();
    expect(code(await get(`${master}?token=${unsigned}`))).toBe('playback_token_invalid');
    // alg none with the kid of a real key.
    const noneWithKid = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.id })).toString('base64url')}.${unsigned.split('.')[1]}.`;
    expect((await get(`${master}?token=${noneWithKid}`)).statusCode).toBe(403);

    const good = await sign(key, { sub: 'x'.repeat(32) });
    const [h, , sig] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: s.playbackId, aud: 'v', exp: 4102444800 })).toString('base64url')}.${sig}`;
    expect(code(await get(`${master}?token=${forged}`))).toBe('playback_token_invalid');
    expect((await get(`${master}?token=not.a.jwt`)).statusCode).toBe(403);

    const foreignKey = await newKey(api, await api.newProject('foreign signer'));
    expect((await get(`${master}?token=${await sign(foreignKey, { sub: s.playbackId })}`)).statusCode).toBe(403);

    const valid = await sign(key, { sub: s.playbackId });
    expect((await get(`${master}?token=${valid}`)).statusCode).toBe(200);
    await api.call('DELETE', `/v1/signing-keys/${key.id}`);
    expect(code(await get(`${master}?token=${valid}`))).toBe('playback_token_invalid');
  });

  it('mints its own short-lived tokens for content the project owns', async () => {
    const s = await streamWithMedia({ playbackPolicy: 'signed' });
    const minted = await api.call('POST', '/v1/playback-tokens', { body: { playbackId: s.playbackId, expiresInSeconds: 60 } });
    expect(minted.status).toBe(201);
    expect(Date.parse(minted.body.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    expect((await get(`/cdn/live/${s.playbackId}/index.m3u8?token=${minted.body.token}`)).statusCode).toBe(200);
    const stranger = await api.newProject('stranger');
    expect((await api.call('POST', '/v1/playback-tokens', { key: stranger, body: { playbackId: s.playbackId } })).status).toBe(404);
    expect((await api.call('POST', '/v1/playback-tokens', { body: { playbackId: s.playbackId, expiresInSeconds: 10 ** 6 } })).status).toBe(400);
  });

  it('serves public content without a token, and never an object outside the playback id', async () => {
    const s = await streamWithMedia({});
    const res = await get(`/cdn/live/${s.playbackId}/index.m3u8`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=1');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body).toBe(MASTER);
    const signed = await streamWithMedia({ playbackPolicy: 'signed' });
    for (const path of [
      `/cdn/live/${s.playbackId}/..%2f${signed.playbackId}%2findex.m3u8`,
      `/cdn/live/${s.playbackId}/..%2f..%2fthumbs%2f${signed.playbackId}.jpg`,
      `/cdn/live/${s.playbackId}/%2e%2e/%2e%2e/thumbs/${signed.playbackId}.jpg`,
      `/cdn/live/${s.playbackId}/360p/.seg`,
      `/cdn/other/${s.playbackId}/index.m3u8`,
      `/cdn/live/${'z'.repeat(32)}/index.m3u8`,
    ]) {
      // Either nothing matches (404) or the path resolves to a signed object that wants a token (403).
      const r = await get(path);
      expect([403, 404], path).toContain(r.statusCode);
    }
    expect((await get(`/cdn/live/${s.playbackId}/missing.m3u8`)).statusCode).toBe(404);
  });

  it('plays only on allowed origins', async () => {
    const s = await streamWithMedia({ allowedOrigins: ['https://Example.com', 'https://*.shop.example'] });
    expect(s.allowedOrigins).toEqual(['https://example.com', 'https://*.shop.example']);
    const url = `/cdn/live/${s.playbackId}/index.m3u8`;
    expect(code(await get(url))).toBe('origin_not_allowed');
    expect((await get(url, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await get(url, { origin: 'https://shop.example' })).statusCode).toBe(403);
    const ok = await get(url, { origin: 'https://example.com' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://example.com');
    expect((await get(url, { referer: 'https://eu.shop.example/watch?v=1' })).statusCode).toBe(200);
    const bad = await api.call('PATCH', `/v1/live-streams/${s.id}`, { body: { allowedOrigins: ['javascript:alert(1)'] } });
    expect(bad.status).toBe(400);
  });

  it('answers nginx auth_request with 204 or 403', async () => {
    const s = await streamWithMedia({ playbackPolicy: 'signed' });
    const key = await newKey();
    const auth = (uri: string, token = 'test-internal-token-0123456789') =>
      api.app.inject({ method: 'GET', url: '/internal/playback/authorize', headers: { authorization: `Bearer ${token}`, 'x-original-uri': uri } });
    expect((await auth(`/live/${s.playbackId}/360p/seg_0001.ts`)).statusCode).toBe(403);
    expect((await auth(`/live/${s.playbackId}/360p/seg_0001.ts?token=${await sign(key, { sub: s.playbackId })}`)).statusCode).toBe(204);
    expect((await auth(`/live/${s.playbackId}/..%2f..%2fx`)).statusCode).toBe(404);
    expect((await auth(`/live/${s.playbackId}/360p/seg_0001.ts`, 'wrong-token-wrong-token')).statusCode).toBe(401);
  });

  it('serves byte ranges (players seek in the MP4)', async () => {
    const s = await streamWithMedia({});
    const res = await get(`/cdn/live/${s.playbackId}/360p/seg_0001.ts`, { range: 'bytes=0-187' });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 0-187/1880');
    expect(res.rawPayload.length).toBe(188);
  });
});

describe('asset playback policy', () => {
  it('can be changed on the asset', async () => {
    const s = (await api.call('POST', '/v1/live-streams', { body: { name: 'rec', playbackPolicy: 'signed' } })).body;
    const asset = await api.env.db.asset.create({
      data: { id: 'as_' + 'a'.repeat(22), projectId: api.projectId, liveStreamId: s.id, playbackId: 'b'.repeat(32), playbackPolicy: 'signed' },
    });
    await s3.put(`vod/${asset.id}/index.m3u8`, MASTER, CACHE_IMMUTABLE);
    expect((await get(`/cdn/vod/${asset.id}/index.m3u8`)).statusCode).toBe(403);
    // The live stream's token opens its recording too (the live playlists name its segments).
    const minted = (await api.call('POST', '/v1/playback-tokens', { body: { playbackId: s.playbackId } })).body;
    expect((await get(`/cdn/vod/${asset.id}/index.m3u8?token=${minted.token}`)).statusCode).toBe(200);
    const patched = await api.call('PATCH', `/v1/assets/${asset.id}`, { body: { playbackPolicy: 'public' } });
    expect(patched.body).toMatchObject({ playbackPolicy: 'public', playback: { policy: 'public' } });
    await new Promise((r) => setTimeout(r, 2100)); // the edge caches a policy for 2 s
    expect((await get(`/cdn/vod/${asset.id}/index.m3u8`)).statusCode).toBe(200);
  });
});

describe('viewer counting at the edge', () => {
  it('one viewer per token sid, vsid, or address + user agent; nginx’s forwarded requests are counted once, at auth_request', async () => {
    const s = await streamWithMedia({});
    const count = async () => (await currentViewers(api.redis, api.env.config.redis.prefix, [{ playbackId: s.playbackId, windowMs: 60_000 }]))[0];
    const playlist = `/cdn/live/${s.playbackId}/360p/index.m3u8`;
    const segment = `/cdn/live/${s.playbackId}/360p/seg_0001.ts`;
    await get(`${playlist}?vsid=viewer-one-01`, { 'user-agent': 'A' });
    await get(`${segment}?vsid=viewer-one-01`, { 'user-agent': 'A' });
    await get(playlist, { 'user-agent': 'A' });
    await get(segment, { 'user-agent': 'A' });
    await get(playlist, { 'user-agent': 'B' });
    await get(`${playlist}?vsid=x`, { 'user-agent': 'B' }); // not a vsid: the address and agent name it
    // nginx's proxy_pass after its auth_request: already counted there.
    await get(playlist, { 'user-agent': 'C', 'x-airwave-counted': '1' });
    const auth = await api.app.inject({
      method: 'GET',
      url: '/internal/playback/authorize',
      headers: {
        authorization: 'Bearer test-internal-token-0123456789',
        'x-original-uri': `/live/${s.playbackId}/360p/index.m3u8`,
        'x-viewer-address': '203.0.113.9',
        'user-agent': 'A',
      },
    });
    expect(auth.statusCode).toBe(204);
    // vsid viewer-one-01, A and B from the test's address, A from 203.0.113.9.
    for (let i = 0; i < 50 && (await count()) !== 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(4);
    // A thumbnail is not watching.
    await get(`/cdn/thumbs/${s.playbackId}.jpg`, { 'user-agent': 'D' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await count()).toBe(4);
  });
});
