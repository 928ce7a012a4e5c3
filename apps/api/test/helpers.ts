// Boots a real API (real Postgres schema, real Redis prefix) for one test file.
import { createProjectWithKey } from '@airwave/core';
import { createRedis, Queues } from '@airwave/jobs';
import type { Redis } from 'ioredis';
import { createTestEnv, type TestEnv } from '@airwave/testing';
import { buildApp, type App } from '../src/app.js';

export interface Call {
  body?: unknown;
  /** Raw payload, sent as is (malformed JSON, huge bodies). */
  payload?: string;
  key?: string | null;
  headers?: Record<string, string>;
}

export interface TestApi {
  env: TestEnv;
  app: App;
  apiKey: string;
  projectId: string;
  queues: Queues;
  redis: Redis;
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, opts?: Call): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  /** A second tenant, to prove isolation. */
  newProject(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startApi(testFile: string, env: Record<string, string> = {}): Promise<TestApi> {
  const testEnv = await createTestEnv(testFile, env);
  const redis = createRedis(testEnv.config.redis.url, 'producer');
  const queues = new Queues(redis, testEnv.config.redis.prefix);
  const app = await buildApp({ config: testEnv.config, db: testEnv.db, redis, queues });
  await app.ready();
  const { project, apiKey } = await createProjectWithKey(testEnv.db, 'test project');
  return {
    env: testEnv,
    app,
    apiKey,
    projectId: project.id,
    queues,
    redis,
    async call(method, url, opts = {}) {
      const key = opts.key === undefined ? apiKey : opts.key;
      const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...opts.headers };
      let payload: string | undefined = opts.payload;
      if (opts.body !== undefined) payload = JSON.stringify(opts.body);
      if (payload !== undefined) headers['content-type'] ??= 'application/json';
      const res = await app.inject({ method, url, headers, payload });
      const text = res.body;
      return { status: res.statusCode, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async newProject(name) {
      return (await createProjectWithKey(testEnv.db, name)).apiKey;
    },
    async close() {
      app.server.closeAllConnections(); // tests do not wait for players that stopped reading
      await app.close();
      await queues.close();
      redis.disconnect();
      await testEnv.cleanup();
    },
  };
}
