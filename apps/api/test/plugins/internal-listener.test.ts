// API_INTERNAL_PORT: the ingest hooks and the CDN's auth_request answer only on the internal
// listener (still behind INTERNAL_TOKEN); the public port acts as if they did not exist.
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ephemeralPort } from '../../../../scripts/up/net.js';
import { listenInternal } from '../../src/plugins/app/internal-listener.js';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
let internal: Server;
let publicUrl = '';
let internalUrl = '';
const token = 'test-internal-token-0123456789';

beforeAll(async () => {
  const internalPort = await ephemeralPort();
  api = await startApi(import.meta.filename, { API_INTERNAL_PORT: String(internalPort) });
  publicUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
  internal = await listenInternal(api.app, '127.0.0.1', internalPort);
  internalUrl = `http://127.0.0.1:${internalPort}`;
});
afterAll(async () => {
  internal?.closeAllConnections();
  internal?.close();
  await api?.close();
});

const precheck = (base: string, auth?: string) =>
  fetch(`${base}/internal/ingest/precheck`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify({ streamKey: 'sk_not_a_real_key_000000000000' }),
  });

it('serves the ingest hooks on the internal port only, with the token', async () => {
  const viaInternal = await precheck(internalUrl, token);
  expect(viaInternal.status).toBe(200);
  expect(await viaInternal.json()).toMatchObject({ allow: false });

  expect((await precheck(internalUrl)).status).toBe(401);
  expect((await precheck(internalUrl, 'wrong-token-0123456789')).status).toBe(401);

  const viaPublic = await precheck(publicUrl, token);
  expect(viaPublic.status).toBe(404);
  expect(await viaPublic.json()).toEqual({ error: { code: 'not_found', message: 'No route for POST /internal/ingest/precheck', details: [] } });
  // However the path is spelled: the router decodes %69 to 'i', the listener check follows the route.
  const encoded = await fetch(`${publicUrl}/%69nternal/ingest/precheck`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ streamKey: 'sk_not_a_real_key_000000000000' }),
  });
  expect(encoded.status).toBe(404);
  const auth = await fetch(`${publicUrl}/internal/playback/authorize`, {
    headers: { authorization: `Bearer ${token}`, 'x-original-uri': '/live/x/index.m3u8' },
  });
  expect(auth.status).toBe(404);
});

it('serves nothing public on the internal port; probes and metrics answer on both', async () => {
  const listed = await fetch(`${internalUrl}/v1/live-streams`, { headers: { authorization: `Bearer ${api.apiKey}` } });
  expect(listed.status).toBe(404);
  expect((await fetch(`${publicUrl}/v1/live-streams`, { headers: { authorization: `Bearer ${api.apiKey}` } })).status).toBe(200);
  for (const base of [publicUrl, internalUrl]) {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  }
});
