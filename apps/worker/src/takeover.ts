// Taking over the work of a worker that died, as soon as ownership.ts notices.
import { createRedis, jobs } from '@airwave/jobs';
import type { WorkerContext } from './context.js';
import { workerMetrics } from './metrics.js';
import { Ownership, Work, type Hold } from './ownership.js';

/**
 * Hands work to another worker: each ladder and relay of a session still live gets a take-over job,
 * picked up at once by any worker with a free slot. For a worker that died (ownership.ts found its
 * Redis connection gone) this comes instead of BullMQ's stalled-job check, ~25 s later; should the
 * enqueue fail, that check still retries the dead worker's jobs, which then find the work free.
 */
export async function takeOver(
  ctx: Pick<WorkerContext, 'db' | 'queues' | 'log'>,
  work: string[],
  from: string,
  reason: 'died' | 'shutting down',
): Promise<void> {
  const parsed = work.map((w) => Work.parse(w)).filter((w) => w !== undefined);
  workerMetrics.takeover(reason === 'died' ? 'died' : 'shutdown', parsed.length);
  const takeover = Date.now();
  // A pull runs for as long as its stream wants it, not a session: a new pull job resumes it.
  for (const item of parsed) {
    if (item.kind !== 'pull') continue;
    await ctx.queues.add(jobs.pull, { liveStreamId: item.liveStreamId, at: takeover });
    ctx.log.warn({ ...item, from, reason }, 'handing work to another worker');
  }
  const items = parsed.filter((w) => w.kind !== 'pull');
  const live = await ctx.db.liveStreamSession.findMany({
    where: { id: { in: [...new Set(items.map((w) => w.sessionId))] }, status: { in: ['connected', 'active'] } },
    select: { id: true, reconnects: true },
  });
  const runs = new Map(live.map((s) => [s.id, s.reconnects]));
  for (const item of items) {
    const run = runs.get(item.sessionId);
    if (run === undefined) continue;
    if (item.kind === 'ladder') await ctx.queues.add(jobs.transcode, { sessionId: item.sessionId, run, takeover });
    else await ctx.queues.add(jobs.simulcast, { sessionId: item.sessionId, run, targetId: item.targetId, takeover });
    ctx.log.warn({ ...item, from, reason }, 'handing work to another worker');
  }
}

/** What a run returns when its worker is shutting down: another worker resumes it. */
export const HAND_BACK = Symbol('hand back');

/**
 * Runs `run` holding `work` (a session's ladder or one relay): skipped when a live worker already
 * runs it. A run that returns HAND_BACK (SIGTERM, a rolling deploy) is handed on as a take-over job,
 * not a failed attempt, so it resumes elsewhere at once, without retry back-off.
 */
export async function runHeld<T>(ctx: WorkerContext, work: string, runId: string, run: (hold: Hold) => Promise<T | typeof HAND_BACK>) {
  const hold = await ctx.ownership.acquire(work, runId);
  if (!hold) return { skipped: 'another worker runs this' };
  let result: T | typeof HAND_BACK;
  try {
    result = await run(hold);
  } finally {
    await hold.release();
  }
  if (result !== HAND_BACK) return result;
  // Released first: the run that takes over must find the work free.
  await takeOver(ctx, [work], ctx.ownership.workerId, 'shutting down');
  return { handedBack: true };
}

/** The worker's registration, on a connection of its own: its closing is how others learn this worker died. */
export async function startOwnership(ctx: Pick<WorkerContext, 'config' | 'db' | 'queues' | 'log'>): Promise<Ownership> {
  const ownership = new Ownership(createRedis(ctx.config.redis.url, 'worker'), {
    prefix: `${ctx.config.redis.prefix}:owners`,
    staleMs: ctx.config.workerStaleMs,
    log: ctx.log,
    onOrphaned: (work, deadWorker) => takeOver(ctx, work, deadWorker, 'died'),
  });
  await ownership.start();
  return ownership;
}
