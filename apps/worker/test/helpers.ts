// Runs the real worker consumers in-process against a test API's schema and Redis prefix.
import { createRedis } from '@airwave/jobs';
import type { Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { startApi, type TestApi } from '../../api/test/helpers.js';
import { publicUrls } from '@airwave/core';
import type { WorkerContext } from '../src/context.js';
import { startOwnership } from '../src/takeover.js';
import { SessionControl } from '../src/session-control.js';
import { startWorkers } from '../src/workers.js';
import { Storage } from '@airwave/storage';

export async function startTestWorker(api: TestApi): Promise<{ ctx: WorkerContext; close(): Promise<void> }> {
  const { config, db } = api.env;
  const connection = createRedis(config.redis.url, 'worker');
  const control = new SessionControl();
  await control.start(config.redis.url, config.redis.prefix);
  const log = pino({ level: 'silent' });
  const ctx: WorkerContext = {
    ownership: await startOwnership({ config, db, queues: api.queues, log }),
    config,
    db,
    queues: api.queues,
    urls: publicUrls(config),
    log,
    storage: Storage.fromConfig(config),
    control,
  };
  const workers: Worker[] = startWorkers(ctx, connection);
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    ctx,
    async close() {
      control.stopAll();
      await Promise.all(workers.map((w) => w.close()));
      await ctx.ownership.stop();
      control.close();
      connection.disconnect();
    },
  };
}

/** Polls until `fn` returns a truthy value (deliveries arrive asynchronously). */
export async function eventually<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Registers hooks that start a test API and its in-process worker for this file; read after beforeAll. */
export function useApiAndWorker(testFile: string) {
  const ref = {} as { api: TestApi; worker: Awaited<ReturnType<typeof startTestWorker>> };
  beforeAll(async () => {
    ref.api = await startApi(testFile);
    ref.worker = await startTestWorker(ref.api);
  });
  afterAll(async () => {
    await ref.worker?.close();
    await ref.api?.close();
  });
  return ref;
}
