// Binds every job of the shared registry to its processor. Boot fails if a job has no handler, so
// a producer can never enqueue work that no worker will ever take.
import { jobs, ladderRetryDelay, QUEUE_NAMES, relayRetryDelay, webhookRetryDelay, type QueueName } from '@airwave/jobs';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerContext } from './context.js';
import { workerMetrics } from './metrics.js';
import { reconnectWindowExpired } from './processors/reconnect-window.js';
import { transcode } from './processors/transcode.js';
import { simulcast } from './processors/simulcast.js';
import { cleanupLiveSegments, deleteAssetObjects, finalize } from './processors/finalize.js';
import { clip } from './processors/clip.js';
import { pull } from './processors/pull.js';
import { webhookDeliver } from './processors/webhook-deliver.js';
import { webhookFanout } from './processors/webhook-fanout.js';

type Handler = (ctx: WorkerContext, job: Job) => Promise<unknown>;

const handlers: Record<keyof typeof jobs, Handler> = {
  webhookFanout: (ctx, job) => webhookFanout(ctx, job.data),
  webhookDeliver: (ctx, job) => webhookDeliver(ctx, job),
  reconnectWindow: (ctx, job) => reconnectWindowExpired(ctx, job.data),
  transcode: (ctx, job) => transcode(ctx, job),
  finalize: (ctx, job) => finalize(ctx, job.data),
  deleteAsset: (ctx, job) => deleteAssetObjects(ctx, job.data),
  clip: (ctx, job) => clip(ctx, job.data),
  pull: (ctx, job) => pull(ctx, job),
  cleanupLive: (ctx, job) => cleanupLiveSegments(ctx, job.data),
  simulcast: (ctx, job) => simulcast(ctx, job),
};

function handlersFor(queue: QueueName): Map<string, Handler> {
  const map = new Map<string, Handler>();
  for (const [key, def] of Object.entries(jobs)) {
    if (def.queue !== queue) continue;
    const handler = handlers[key as keyof typeof jobs];
    if (!handler) throw new Error(`job ${key} (${def.queue}/${def.name}) has no handler`);
    if (map.has(def.name)) throw new Error(`two jobs named ${def.name} on queue ${queue}`);
    map.set(def.name, handler);
  }
  return map;
}

export function startWorkers(ctx: WorkerContext, connection: Redis): Worker[] {
  return QUEUE_NAMES.map((queue) => {
    const byName = handlersFor(queue);
    const worker = new Worker(
      queue,
      async (job) => {
        const handler = byName.get(job.name);
        if (!handler) throw new Error(`no handler for ${queue}/${job.name}`);
        return handler(ctx, job);
      },
      {
        connection,
        prefix: ctx.config.redis.prefix,
        concurrency: queue === 'webhooks' ? Math.max(ctx.config.workerConcurrency, 8) : ctx.config.workerConcurrency,
        // A transcode holds its job for hours; a worker that dies stops renewing the lock and another
        // worker takes the job over after `stalledInterval`.
        ...(queue === 'transcode' ? { lockDuration: 15_000, stalledInterval: 10_000, maxStalledCount: 100 } : {}),
        settings: {
          backoffStrategy: (attemptsMade: number, type?: string) =>
            type === 'ladder'
              ? ladderRetryDelay(attemptsMade)
              : type === 'relay'
                ? relayRetryDelay(attemptsMade)
                : webhookRetryDelay(attemptsMade, ctx.config.webhooks.retryBaseMs),
        },
      },
    );
    worker.on('completed', () => workerMetrics.job(queue, 'completed'));
    worker.on('failed', (job, err) => {
      workerMetrics.job(queue, 'failed');
      ctx.log.debug({ queue, job: job?.name, id: job?.id, err: err.message }, 'job attempt failed');
    });
    worker.on('error', (err) => ctx.log.warn({ queue, err: err.message }, 'worker error'));
    return worker;
  });
}
