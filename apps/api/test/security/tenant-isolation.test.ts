// Every /v1 route of the OpenAPI spec, called by another project with the first project's ids,
// answers 404 and changes nothing. New routes are covered automatically: a route whose path
// parameters this test cannot fill fails it.
import { readFileSync } from 'node:fs';
import { newId, newPlaybackId } from '@airwave/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

const spec = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as { paths: Record<string, Record<string, unknown>> };

let api: TestApi;
beforeAll(async () => {
  api = await startApi(import.meta.filename);
});
afterAll(async () => {
  await api?.close();
});

/** A body the route accepts, so the answer is about ownership, not validation. */
const bodies: Record<string, unknown> = {
  'patch /v1/live-streams/{id}': { name: 'taken over' },
  'post /v1/live-streams/{id}/simulcast-targets': { url: 'rtmp://203.0.113.10/app', streamKey: 'k' },
  'patch /v1/assets/{id}': { playbackPolicy: 'public' },
  'patch /v1/webhooks/{id}': { enabled: false },
};

it("another project's ids answer 404 on every /v1 route, and nothing of the owner changes", async () => {
  // Owner: one of everything.
  const stream = (await api.call('POST', '/v1/live-streams', { body: { name: 'owned', simulcastTargets: [{ url: 'rtmp://203.0.113.10/app' }] } })).body;
  const target = (await api.call('GET', `/v1/live-streams/${stream.id}/simulcast-targets`)).body.data[0];
  const webhook = (await api.call('POST', '/v1/webhooks', { body: { url: 'https://203.0.113.11/x' } })).body;
  const key = (await api.call('POST', '/v1/signing-keys')).body;
  const apiKey = (await api.call('POST', '/v1/api-keys', { body: { name: 'owned', scopes: ['read'] } })).body;
  const sessionId = newId('session');
  await api.env.db.liveStreamSession.create({
    data: { id: sessionId, liveStreamId: stream.id, ingestNodeId: 'n', ingestAddress: 'rtmp://127.0.0.1/live', status: 'ended' },
  });
  const asset = await api.env.db.asset.create({
    data: { id: newId('asset'), projectId: api.projectId, liveStreamId: stream.id, playbackId: newPlaybackId(), status: 'ready' },
  });
  const ids: Record<string, Record<string, string>> = {
    'live-streams': { id: stream.id, targetId: target.id, sessionId },
    assets: { id: asset.id },
    webhooks: { id: webhook.id },
    'signing-keys': { id: key.id },
    'api-keys': { id: apiKey.id },
  };

  const intruder = await api.newProject('intruder');
  let checked = 0;
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (!path.startsWith('/v1/') || !path.includes('{')) continue;
    const params = ids[path.split('/')[2]!] ?? {};
    const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      expect(params[name], `${path}: no id of the owner for {${name}}`).toBeDefined();
      return params[name]!;
    });
    for (const method of Object.keys(ops)) {
      const res = await api.call(method.toUpperCase() as 'GET', url, { key: intruder, body: bodies[`${method} ${path}`] });
      expect(res.status, `${method.toUpperCase()} ${url}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      checked++;
    }
  }
  // Ids inside bodies are checked too.
  const token = await api.call('POST', '/v1/playback-tokens', { key: intruder, body: { playbackId: stream.playbackId } });
  expect(token.status).toBe(404);
  const lists = await Promise.all(['/v1/live-streams', '/v1/assets', '/v1/webhooks', '/v1/signing-keys'].map((p) => api.call('GET', p, { key: intruder })));
  for (const l of lists) expect(l.body.data).toEqual([]);
  expect(checked).toBeGreaterThanOrEqual(20);

  const after = (await api.call('GET', `/v1/live-streams/${stream.id}`)).body;
  expect(after).toMatchObject({ name: 'owned', status: 'idle', streamKey: stream.streamKey });
  expect((await api.call('GET', `/v1/live-streams/${stream.id}/simulcast-targets`)).body.data).toHaveLength(1);
  expect((await api.call('GET', `/v1/webhooks/${webhook.id}`)).body.enabled).toBe(true);
  expect((await api.call('GET', `/v1/assets/${asset.id}`)).status).toBe(200);
  expect((await api.call('GET', `/v1/signing-keys/${key.id}`)).status).toBe(200);
});
