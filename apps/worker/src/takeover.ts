// Taking over the work of a worker that died, as soon as ownership.ts notices.
import { createRedis, jobs } from '@airwave/jobs';
import type { WorkerContext } from './context.js';
import { Ownership, Work } from './ownership.js';

/**
 * The work of a worker that died (ownership.ts found its Redis connection gone): each ladder and relay
 * of a session still live gets a take-over job now, instead of after BullMQ's stalled-job check.
 * Should this enqueue fail, that check still retries the dead worker's jobs, which find the work free.
 */
export async function takeOver(ctx: Pick<WorkerContext, 'db' | 'queues' | 'log'>, work: string[], deadWorker: string): Promise<void> {
  const items = work.map((w) => Work.parse(w)).filter((w) => w !== undefined);
  const live = await ctx.db.liveStreamSession.findMany({
    where: { id: { in: [...new Set(items.map((w) => w.sessionId))] }, status: { in: ['connected', 'active'] } },
    select: { id: true, reconnects: true },
  });
  const runs = new Map(live.map((s) => [s.id, s.reconnects]));
  const takeover = Date.now();
  for (const item of items) {
    const run = runs.get(item.sessionId);
    if (run === undefined) continue;
    if (item.kind === 'ladder') await ctx.queues.add(jobs.transcode, { sessionId: item.sessionId, run, takeover });
    else await ctx.queues.add(jobs.simulcast, { sessionId: item.sessionId, run, targetId: item.targetId, takeover });
    ctx.log.warn({ ...item, deadWorker }, 'taking over from a dead worker');
  }
}

/** The worker's registration, on a connection of its own: its closing is how others learn this worker died. */
export async function startOwnership(ctx: Pick<WorkerContext, 'config' | 'db' | 'queues' | 'log'>): Promise<Ownership> {
  const ownership = new Ownership(createRedis(ctx.config.redis.url, 'worker'), {
    prefix: `${ctx.config.redis.prefix}:owners`,
    staleMs: ctx.config.workerStaleMs,
    log: ctx.log,
    onOrphaned: (work, deadWorker) => takeOver(ctx, work, deadWorker),
  });
  await ownership.start();
  return ownership;
}
