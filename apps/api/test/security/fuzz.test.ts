// Property-based fuzz (fast-check) of every route in the OpenAPI spec, plus the playback edge: random
// JSON bodies, random query strings and random path parameters. Whatever arrives, the API answers
// below 500, and every error is the one envelope {"error": {"code", "message", "details"}}.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

const spec = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as { paths: Record<string, Record<string, unknown>> };
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

let api: TestApi;
let streamId = '';
beforeAll(async () => {
  // A high rate limit: the fuzz is about input, not about 429s (those are tested on their own).
  api = await startApi(import.meta.filename, { RATE_LIMIT_MAX: '1000000' });
  streamId = (await api.call('POST', '/v1/live-streams', { body: { name: 'fuzz target' } })).body.id;
});
afterAll(async () => {
  await api?.close();
});

const pathParam = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('ls_0000000000000000000000', '..%2f..%2f', '%00', 'a'.repeat(300), '%E0%A4%A', '{}', 'null'),
  fc.constant('__stream__'),
);
const query = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)), { maxKeys: 4 });
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      name: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      url: fc.string(),
      renditions: fc.array(fc.string()),
      playbackId: fc.string(),
      events: fc.array(fc.string()),
    },
    { requiredKeys: [] },
  ),
);

function expectWellFormed(res: { statusCode: number; body: string; headers: Record<string, unknown> }, what: string) {
  expect(res.statusCode, what).toBeLessThan(500);
  if (res.statusCode >= 400 && String(res.headers['content-type']).includes('json')) {
    const parsed = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    expect(typeof parsed.error?.code, what).toBe('string');
    expect(typeof parsed.error?.message, what).toBe('string');
    expect(Array.isArray(parsed.error?.details), what).toBe(true);
  }
}

it('no route answers 5xx or a malformed error to random bodies, queries and path parameters', async () => {
  const ops = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ path, method: m.toUpperCase() })));
  ops.push({ path: '/cdn/{key}', method: 'GET' }, { path: '/play/{playbackId}', method: 'GET' });
  let requests = 0;
  for (const op of ops) {
    await fc.assert(
      fc.asyncProperty(pathParam, query, body, fc.boolean(), async (param, q, b, rawGarbage) => {
        const url =
          op.path.replace(/\{\w+\}/g, () => (param === '__stream__' ? streamId : encodeURIComponent(param))) +
          (Object.keys(q).length ? `?${new URLSearchParams(q)}` : '');
        const hasBody = op.method !== 'GET' && op.method !== 'DELETE';
        const res = await api.app.inject({
          method: op.method as 'GET',
          url,
          headers: { authorization: `Bearer ${api.apiKey}`, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
          payload: hasBody ? (rawGarbage ? JSON.stringify(b).slice(0, -1) : JSON.stringify(b)) : undefined,
        });
        requests++;
        expectWellFormed(res, `${op.method} ${url} ${hasBody ? JSON.stringify(b).slice(0, 200) : ''}`);
      }),
      { numRuns: RUNS },
    );
  }
  expect(requests).toBeGreaterThanOrEqual(ops.length * RUNS);
}, 300_000);
