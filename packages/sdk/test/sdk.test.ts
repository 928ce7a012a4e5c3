// The SDK against a real API (Postgres, Redis) and worker, over HTTP: what a user's five lines do.
import { readFile } from 'node:fs/promises';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, useApiAndWorker } from '../../../apps/worker/test/helpers.js';
import { startReceiver } from '../../../apps/worker/test/receiver.js';
import { renderSdkSchema } from '../scripts/generate.js';
import { AirwaveError, createAirwave, idempotencyKey, paginate, unwrap, type Airwave } from '../src/index.js';

const env = useApiAndWorker(import.meta.filename);
let airwave: Airwave;
let baseUrl: string;

beforeAll(async () => {
  baseUrl = await env.api.app.listen({ host: '127.0.0.1', port: 0 });
  airwave = createAirwave({ apiKey: await env.api.newProject('sdk'), baseUrl });
});

describe('@airwave/sdk', () => {
  it('creates (idempotently), lists page by page, gets and resets the key of live streams', async () => {
    const key = idempotencyKey();
    const stream = unwrap(await airwave.POST('/v1/live-streams', { body: { name: 'From the SDK', latencyMode: 'low' }, params: { header: key } }));
    expect(stream).toMatchObject({ name: 'From the SDK', status: 'idle', latencyMode: 'low' });
    expect(stream.ingestUrl).toBe(`${stream.rtmpUrl}/${stream.streamKey}`);
    // The same Idempotency-Key again: the same stream, not a second one.
    const again = unwrap(await airwave.POST('/v1/live-streams', { body: { name: 'From the SDK', latencyMode: 'low' }, params: { header: key } }));
    expect(again.id).toBe(stream.id);

    for (const name of ['two', 'three']) unwrap(await airwave.POST('/v1/live-streams', { body: { name } }));
    const names: string[] = [];
    for await (const s of paginate((cursor) => airwave.GET('/v1/live-streams', { params: { query: { limit: 2, cursor } } }))) names.push(s.name);
    expect(names).toEqual(['three', 'two', 'From the SDK']);

    const got = unwrap(await airwave.GET('/v1/live-streams/{id}', { params: { path: { id: stream.id } } }));
    expect(got.streamKey).toBe(stream.streamKey);
    const reset = unwrap(await airwave.POST('/v1/live-streams/{id}/reset-stream-key', { params: { path: { id: stream.id } } }));
    expect(reset.streamKey).not.toBe(stream.streamKey);
  });

  it('subscribes a webhook whose deliveries verify with the secret it returns once', async () => {
    const rx = await startReceiver();
    const hook = unwrap(await airwave.POST('/v1/webhooks', { body: { url: rx.url, events: ['live_stream.created'] } }));
    expect(hook.secret).toMatch(/^whsec_/);
    const stream = unwrap(await airwave.POST('/v1/live-streams', { body: { name: 'Announced' } }));
    const got = await eventually(async () => rx.received.find((r) => r.body.includes(stream.id)));
    expect(new Webhook(hook.secret!).verify(got.body, got.headers as Record<string, string>)).toMatchObject({
      type: 'live_stream.created',
      data: { id: stream.id },
    });
    await rx.close();
  });

  it('throws the error envelope as an AirwaveError', async () => {
    const missing = await airwave.GET('/v1/live-streams/{id}', { params: { path: { id: 'ls_0000000000000000000000' } } });
    expect(() => unwrap(missing)).toThrow(AirwaveError);
    expect(() => unwrap(missing)).toThrow(expect.objectContaining({ status: 404, code: 'not_found' }));
    const invalid = await airwave.POST('/v1/live-streams', { body: { name: '' } });
    expect(() => unwrap(invalid)).toThrow(expect.objectContaining({ status: 400, code: 'validation_failed' }));
    const stranger = createAirwave({ apiKey: 'aw_sk_not_a_key', baseUrl });
    const refused = await stranger.GET('/v1/live-streams', {});
    expect(() => unwrap(refused)).toThrow(expect.objectContaining({ status: 401 }));
  });

  it('creates a read-only key that lists streams but cannot create one', async () => {
    const key = unwrap(await airwave.POST('/v1/api-keys', { body: { name: 'dashboard', scopes: ['read'] } }));
    const reader = createAirwave({ apiKey: key.secret, baseUrl });
    expect(unwrap(await reader.GET('/v1/live-streams', {})).data.length).toBeGreaterThan(0);
    const refused = await reader.POST('/v1/live-streams', { body: { name: 'not allowed' } });
    expect(() => unwrap(refused)).toThrow(expect.objectContaining({ status: 403, code: 'insufficient_scope' }));
  });

  it('is generated from the committed OpenAPI document (run `npm run openapi` after changing a route)', async () => {
    const spec = await readFile(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8');
    const committed = await readFile(new URL('../src/schema.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await renderSdkSchema(spec));
  });
});
