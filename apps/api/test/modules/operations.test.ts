import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '@airwave/db';
import { createRedis, Queues } from '@airwave/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOpenapi } from '../../scripts/openapi.js';
import { buildApp } from '../../src/app.js';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(import.meta.filename);
});
afterAll(() => api?.close());

describe('operations endpoints', () => {
  it('GET /healthz answers ok without a key', async () => {
    const res = await api.call('GET', '/healthz', { key: null });
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('GET /readyz answers 200 when Postgres and Redis answer', async () => {
    const res = await api.call('GET', '/readyz', { key: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('GET /readyz answers 503 naming the dependency that is down', async () => {
    // Nothing listens on port 1: a real refused connection, not a mock.
    const deadDb = createDb('postgresql://postgres@127.0.0.1:1/airwave');
    const deadRedis = createRedis('redis://127.0.0.1:1', 'producer');
    const pgDown = await buildApp({ config: api.env.config, db: deadDb, redis: api.redis, queues: api.queues });
    const redisDown = await buildApp({ config: api.env.config, db: api.env.db, redis: deadRedis, queues: new Queues(deadRedis, 'x') });
    try {
      const a = await pgDown.inject({ method: 'GET', url: '/readyz' });
      expect(a.statusCode).toBe(503);
      expect(a.json().checks.postgres).not.toBe('ok');
      expect(a.json().checks.redis).toBe('ok');
      const b = await redisDown.inject({ method: 'GET', url: '/readyz' });
      expect(b.statusCode).toBe(503);
      expect(b.json().checks).toMatchObject({ postgres: 'ok' });
      expect(b.json().checks.redis).not.toBe('ok');
    } finally {
      await pgDown.close();
      await redisDown.close();
      deadRedis.disconnect();
      await deadDb.$disconnect();
    }
  });

  it('GET /readyz on a supervised single box names a process the supervisor left down', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airwave-readyz-'));
    const stateFile = path.join(dir, 'supervisor.json');
    const app = await buildApp({ config: { ...api.env.config, supervisorStateFile: stateFile }, db: api.env.db, redis: api.redis, queues: api.queues });
    try {
      await writeFile(stateFile, JSON.stringify({ pid: 1, down: {} }));
      const up = await app.inject({ method: 'GET', url: '/readyz' });
      expect(up.statusCode).toBe(200);
      expect(up.json().checks).toEqual({ postgres: 'ok', redis: 'ok', processes: 'ok' });
      await writeFile(stateFile, JSON.stringify({ pid: 1, down: { 'worker-2': 'exited with code 1; failed 5 times within 60 s, left down' } }));
      const down = await app.inject({ method: 'GET', url: '/readyz' });
      expect(down.statusCode).toBe(503);
      expect(down.json().checks.processes).toBe('worker-2 exited with code 1; failed 5 times within 60 s, left down');
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps serving the API while Redis is down: the stream is created, its webhook waits in the outbox', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1', 'producer');
    const app = await buildApp({ config: api.env.config, db: api.env.db, redis: deadRedis, queues: new Queues(deadRedis, 'x') });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/live-streams',
        headers: { authorization: `Bearer ${api.apiKey}` },
        payload: { name: 'During outage' },
      });
      expect(res.statusCode).toBe(201);
      const event = await api.env.db.event.findFirst({ where: { type: 'live_stream.created', payload: { path: ['data', 'id'], equals: res.json().id } } });
      expect(event?.dispatchedAt).toBeNull();
    } finally {
      await app.close();
      deadRedis.disconnect();
    }
  });

  it('GET /metrics exposes request latency and queue depths for Prometheus', async () => {
    await api.call('GET', '/v1/live-streams');
    const res = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/airwave_http_request_duration_seconds_bucket\{.*route="\/v1\/live-streams".*\}/);
    expect(res.body).toMatch(/airwave_queue_jobs\{queue="webhooks",state="waiting"\} \d+/);
  });

  it('serves Swagger UI at /docs and the spec at /openapi.json, internal routes hidden', async () => {
    const docs = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    const spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toContain('/v1/live-streams/{id}/reset-stream-key');
    expect(Object.keys(spec.paths).some((p) => p.startsWith('/internal'))).toBe(false);
    // Client generators name methods after operationIds: every operation has a unique one, a summary and tags.
    const operations = Object.values(spec.paths as Record<string, Record<string, { operationId?: string; summary?: string; tags?: string[] }>>).flatMap((ops) =>
      Object.values(ops),
    );
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations)
      expect(op, JSON.stringify(op).slice(0, 200)).toMatchObject({
        operationId: expect.stringMatching(/^[a-z][A-Za-z]+$/),
        summary: expect.any(String),
        tags: expect.any(Array),
      });
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
    expect(spec.paths['/v1/live-streams/{id}/reset-stream-key'].post.operationId).toBe('resetStreamKey');
  });

  it('returns an x-request-id on every response', async () => {
    const res = await api.call('GET', '/healthz', { key: null, headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers['x-request-id']).toBe('trace-123');
  });
});

it('the committed openapi/openapi.json is current (run `npm run openapi` after changing a route)', async () => {
  const committed = await readFile(new URL('../../../../openapi/openapi.json', import.meta.url), 'utf8');
  expect(committed).toBe(await renderOpenapi());
});
