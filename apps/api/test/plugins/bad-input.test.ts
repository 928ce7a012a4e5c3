// Every kind of bad input gets a clear 4xx in the one error envelope, and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(import.meta.filename);
});
afterAll(() => api?.close());

function expectEnvelope(res: { status: number; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(Array.isArray(res.body.error.details)).toBe(true);
  expect(JSON.stringify(res.body)).not.toMatch(/at .+\.ts:\d+|node_modules/);
}

const streamCount = () => api.env.db.liveStream.count();

describe('bad input', () => {
  it('malformed JSON → 400 validation_failed', async () => {
    const before = await streamCount();
    const res = await api.call('POST', '/v1/live-streams', { payload: '{"name": "x",' });
    expectEnvelope(res, 400, 'validation_failed');
    expect(await streamCount()).toBe(before);
  });

  it('unknown field → 400 naming the field', async () => {
    const res = await api.call('POST', '/v1/live-streams', { body: { name: 'x', colour: 'red' } });
    expectEnvelope(res, 400, 'validation_failed');
    expect(res.body.error.message).toContain('colour');
  });

  it('name of 201 characters → 400; 200 is fine', async () => {
    expectEnvelope(await api.call('POST', '/v1/live-streams', { body: { name: 'n'.repeat(201) } }), 400, 'validation_failed');
    expect((await api.call('POST', '/v1/live-streams', { body: { name: 'n'.repeat(200) } })).status).toBe(201);
  });

  it('missing name → 400', async () => {
    expectEnvelope(await api.call('POST', '/v1/live-streams', { body: {} }), 400, 'validation_failed');
  });

  it('limit=0 and limit=101 → 400', async () => {
    expectEnvelope(await api.call('GET', '/v1/live-streams?limit=0'), 400, 'validation_failed');
    expectEnvelope(await api.call('GET', '/v1/live-streams?limit=101'), 400, 'validation_failed');
    expect((await api.call('GET', '/v1/live-streams?limit=100')).status).toBe(200);
  });

  it('a forged cursor → 400', async () => {
    expectEnvelope(await api.call('GET', '/v1/live-streams?cursor=not-a-cursor'), 400, 'validation_failed');
    const forged = Buffer.from(JSON.stringify([Date.now(), 'ls_x'])).toString('base64url');
    expectEnvelope(await api.call('GET', `/v1/live-streams?cursor=${forged}.AAAAAAAAAAAAAAAAAAAAAA`), 400, 'validation_failed');
  });

  it('a cursor from another project or another listing → 400', async () => {
    for (let i = 0; i < 3; i++) await api.call('POST', '/v1/live-streams', { body: { name: `c${i}` } });
    const page = await api.call('GET', '/v1/live-streams?limit=1');
    expect(page.body.nextCursor).toBeTruthy();
    const other = await api.newProject('cursor thief');
    expectEnvelope(await api.call('GET', `/v1/live-streams?limit=1&cursor=${page.body.nextCursor}`, { key: other }), 400, 'validation_failed');
    expectEnvelope(await api.call('GET', `/v1/assets?cursor=${page.body.nextCursor}`), 400, 'validation_failed');
  });

  it('a body over 1 MB → 413', async () => {
    const res = await api.call('POST', '/v1/live-streams', { payload: JSON.stringify({ name: 'x', passthrough: 'p'.repeat(1_100_000) }) });
    expectEnvelope(res, 413, 'payload_too_large');
  });

  it('passthrough over 1 KB → 400', async () => {
    expectEnvelope(await api.call('POST', '/v1/live-streams', { body: { name: 'x', passthrough: 'p'.repeat(1025) } }), 400, 'validation_failed');
    // 1 KB counts bytes: 400 three-byte characters are 1200 bytes.
    expectEnvelope(await api.call('POST', '/v1/live-streams', { body: { name: 'x', passthrough: '€'.repeat(400) } }), 400, 'validation_failed');
    expect((await api.call('POST', '/v1/live-streams', { body: { name: 'x', passthrough: 'p'.repeat(1024) } })).status).toBe(201);
  });

  it('reconnectWindowSeconds 1801 → 400; 1800 is fine', async () => {
    expectEnvelope(await api.call('POST', '/v1/live-streams', { body: { name: 'x', reconnectWindowSeconds: 1801 } }), 400, 'validation_failed');
    expect((await api.call('POST', '/v1/live-streams', { body: { name: 'x', reconnectWindowSeconds: 1800 } })).status).toBe(201);
  });

  it('unknown rendition → 400', async () => {
    expectEnvelope(await api.call('POST', '/v1/live-streams', { body: { name: 'x', renditions: ['4k'] } }), 400, 'validation_failed');
  });

  it('a malformed id in the path → 400, an unknown one → 404', async () => {
    expectEnvelope(await api.call('GET', '/v1/live-streams/nope'), 400, 'validation_failed');
    expectEnvelope(await api.call('GET', '/v1/live-streams/ls_0000000000000000000000'), 404, 'not_found');
  });

  it('every POST with Content-Type: application/json and an empty body answers as the spec says', async () => {
    const { body: stream } = await api.call('POST', '/v1/live-streams', { body: { name: 'empty bodies' } });
    const spec = api.app.swagger() as {
      paths: Record<string, { post?: { requestBody?: { required?: boolean; content: Record<string, { schema: { required?: string[] } }> } } }>;
    };
    // JSON routes (WHEP takes SDP: it answers 415 to anything else).
    const posts = Object.entries(spec.paths).filter(([, ops]) => ops.post && (!ops.post.requestBody || 'application/json' in ops.post.requestBody.content));
    expect(posts.length).toBeGreaterThanOrEqual(9);
    for (const [path, ops] of posts) {
      const url = path.replace('{id}', stream.id);
      for (const payload of ['', ' \n']) {
        const res = await api.call('POST', url, { payload, headers: { 'content-type': 'application/json' } });
        const rb = ops.post!.requestBody;
        if (rb?.required) {
          const required = rb.content['application/json']!.schema.required ?? [];
          expectEnvelope(res, 400, 'validation_failed');
          expect(
            res.body.error.details.map((d: { field: string }) => d.field),
            path,
          ).toEqual(required);
          for (const field of required) expect(res.body.error.message).toContain(field);
        } else {
          // complete answers 409 (nothing is live), the others succeed.
          expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(path.endsWith('/complete') ? 409 : path === '/v1/signing-keys' ? 201 : 200);
        }
      }
    }
    // And the same routes still read a body when one is sent.
    expect((await api.call('POST', '/v1/live-streams', { body: { name: 'with a body' } })).status).toBe(201);
  });

  it('an empty PATCH → 400', async () => {
    const { body } = await api.call('POST', '/v1/live-streams', { body: { name: 'x' } });
    expectEnvelope(await api.call('PATCH', `/v1/live-streams/${body.id}`, { body: {} }), 400, 'validation_failed');
  });

  it('a webhook URL that is not http(s) or an unknown event → 400', async () => {
    expectEnvelope(await api.call('POST', '/v1/webhooks', { body: { url: 'ftp://example.com' } }), 400, 'validation_failed');
    expectEnvelope(await api.call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/x', events: ['stream.exploded'] } }), 400, 'validation_failed');
  });

  it('an unknown route → 404 in the envelope', async () => {
    expectEnvelope(await api.call('GET', '/v1/nothing-here'), 404, 'not_found');
  });
});

describe('authentication', () => {
  it('missing, malformed, wrong and unknown keys all get the same 401', async () => {
    const responses = await Promise.all([
      api.call('GET', '/v1/live-streams', { key: null }),
      api.call('GET', '/v1/live-streams', { key: null, headers: { authorization: 'Basic abc' } }),
      api.call('GET', '/v1/live-streams', { key: 'aw_sk_' + 'A'.repeat(43) }),
      api.call('GET', '/v1/live-streams', { key: api.apiKey.slice(0, -1) + (api.apiKey.endsWith('A') ? 'B' : 'A') }),
    ]);
    for (const res of responses) {
      expectEnvelope(res, 401, 'unauthorized');
      expect(res.body).toEqual(responses[0]!.body);
    }
  });

  it('a revoked key stops working', async () => {
    const key = await api.newProject('revoked');
    expect((await api.call('GET', '/v1/live-streams', { key })).status).toBe(200);
    await api.env.db.apiKey.updateMany({ where: { project: { name: 'revoked' } }, data: { revokedAt: new Date() } });
    // Keys are cached for a few seconds per process; another API process sees the revocation at once.
    const other = await buildApp({ config: api.env.config, db: api.env.db, redis: api.redis, queues: api.queues });
    try {
      const res = await other.inject({ method: 'GET', url: '/v1/live-streams', headers: { authorization: `Bearer ${key}` } });
      expect(res.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});
