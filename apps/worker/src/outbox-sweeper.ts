// Events whose fan-out never reached Redis (it was down when the API committed them) are found
// here and enqueued again; the job id makes a double enqueue harmless.
import { jobs } from '@airwave/jobs';
import type { WorkerContext } from './context.js';

const GRACE_MS = 10_000;

export async function sweepOutbox(ctx: WorkerContext): Promise<number> {
  const pending = await ctx.db.event.findMany({
    where: { dispatchedAt: null, createdAt: { lt: new Date(Date.now() - GRACE_MS) } },
    orderBy: { createdAt: 'asc' },
    take: 500,
    select: { id: true },
  });
  for (const e of pending) await ctx.queues.add(jobs.webhookFanout, { eventId: e.id });
  return pending.length;
}

const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** Idempotency answers expire after 24 h; delivered events and their attempts after 30 days. */
export async function pruneExpired(ctx: WorkerContext): Promise<void> {
  const now = Date.now();
  await ctx.db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: new Date(now - IDEMPOTENCY_TTL_MS) } } });
  await ctx.db.event.deleteMany({ where: { dispatchedAt: { not: null }, createdAt: { lt: new Date(now - EVENT_RETENTION_MS) } } });
}

export function startOutboxSweeper(ctx: WorkerContext, everyMs = 15_000): () => void {
  let sweeps = 0;
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const n = await sweepOutbox(ctx);
      if (n) ctx.log.info({ events: n }, 're-dispatched events from the outbox');
      if (sweeps++ % 240 === 0) await pruneExpired(ctx); // about hourly
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'outbox sweep failed; will retry');
    } finally {
      running = false;
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
