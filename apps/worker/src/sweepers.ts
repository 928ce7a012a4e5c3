// Periodic housekeeping: events whose fan-out Redis lost, sessions whose ingest went silent,
// reconnect windows nobody closed, and expired records. The job ids and state guards make a double
// run harmless. (What a transition implies is dispatched by the outbox relay, not here.)
import { liveStreamState, STALE_SESSION_MS } from '@airwave/core';
import { isDatabaseUnavailable, Prisma } from '@airwave/db';
import { aliveIngests, jobs } from '@airwave/jobs';
import type { WorkerContext } from './context.js';
import { flushViewers } from './viewers-flush.js';
import { Work } from './ownership.js';

const GRACE_MS = 10_000;

/**
 * Events whose fan-out job never ran: the relay handed it to Redis, which then lost it (restarted
 * without persistence). The job id is the event's, so one that is still queued is not doubled.
 */
export async function sweepOutbox(ctx: WorkerContext): Promise<number> {
  const pending = await ctx.db.event.findMany({
    where: { dispatchedAt: null, createdAt: { lt: new Date(Date.now() - 6 * GRACE_MS) } },
    orderBy: { createdAt: 'asc' },
    take: 500,
    select: { id: true },
  });
  for (const e of pending) await ctx.queues.add(jobs.webhookFanout, { eventId: e.id });
  return pending.length;
}

/**
 * Sessions whose ingest stopped reporting (it crashed, or lost the network) are treated as if the
 * encoder left: they enter the reconnect window, so an encoder that comes back through another
 * ingest resumes them, and otherwise they end. A session whose node is still alive (its Redis key,
 * ingest-liveness.ts) is spared: its reports stopped because the API is down or restarting.
 */
export async function sweepStaleSessions(ctx: WorkerContext): Promise<number> {
  const candidates = await ctx.db.liveStreamSession.findMany({
    where: { status: { in: ['connected', 'active'] }, lastSeenAt: { lt: new Date(Date.now() - STALE_SESSION_MS) } },
    select: { id: true, ingestNodeId: true },
    take: 100,
  });
  // Redis unreachable too: nothing tells a dead node from an API outage, so the heartbeats decide.
  const alive = await aliveIngests(
    ctx.queues.redis,
    ctx.config.redis.prefix,
    candidates.map((s) => s.ingestNodeId),
  ).catch(() => new Set<string>());
  const stale = candidates.filter((s) => !alive.has(s.ingestNodeId));
  if (stale.length < candidates.length)
    ctx.log.debug({ spared: candidates.length - stale.length }, 'sessions without heartbeats on live ingest nodes (API unreachable?)');
  for (const { id } of stale) {
    const t = await ctx.db.$transaction((tx) => liveStreamState.publishStopped(tx, id, { urls: ctx.urls }));
    if (t) ctx.log.warn({ sessionId: id }, 'ingest stopped reporting this session; treating the encoder as gone');
  }
  return stale.length;
}

/**
 * Reconnect windows that ran out without their expiry job ending them (it was lost: Redis was
 * unreachable when it should have run, or lost its data): the session ends now, exactly as the job
 * would have ended it.
 */
export async function sweepExpiredWindows(ctx: WorkerContext): Promise<number> {
  const waiting = await ctx.db.liveStreamSession.findMany({
    where: { status: 'reconnecting', disconnectedAt: { not: null } },
    select: { id: true, disconnectedAt: true, liveStream: { select: { reconnectWindowSeconds: true } } },
    take: 500,
  });
  let ended = 0;
  for (const s of waiting) {
    const deadline = s.disconnectedAt!.getTime() + s.liveStream.reconnectWindowSeconds * 1000;
    if (Date.now() < deadline + GRACE_MS) continue;
    const t = await ctx.db.$transaction((tx) => liveStreamState.expireReconnectWindow(tx, s.id, s.disconnectedAt!.getTime(), { urls: ctx.urls }));
    if (!t) continue;
    ended++;
    ctx.log.warn({ sessionId: s.id }, 'reconnect window ran out without its expiry job; session ended by the sweeper');
  }
  return ended;
}

/**
 * Live sessions whose ladder job never reached the queue: the API committed `started` (the stats are
 * there) and died, or Redis was down, before enqueueing it. The job id is deterministic per run, so
 * a ladder that is queued or running is not started twice.
 */
export async function sweepLadders(ctx: WorkerContext): Promise<number> {
  const live = await ctx.db.liveStreamSession.findMany({
    where: {
      status: { in: ['connected', 'active'] },
      stats: { not: Prisma.DbNull },
      error: null,
      lastSeenAt: { gte: new Date(Date.now() - STALE_SESSION_MS) },
      startedAt: { lt: new Date(Date.now() - GRACE_MS) },
    },
    select: { id: true, reconnects: true },
    take: 500,
  });
  let added = 0;
  for (const s of live) {
    const jobId = jobs.transcode.jobId({ sessionId: s.id, run: s.reconnects });
    if (await ctx.queues.get(jobs.transcode.queue).getJob(jobId)) continue;
    await ctx.queues.add(jobs.transcode, { sessionId: s.id, run: s.reconnects });
    ctx.log.warn({ sessionId: s.id }, 'live session had no ladder job; enqueued it');
    added++;
  }
  return added;
}

/**
 * Enabled pull streams nobody pulls (the job was lost, or every worker restarted): a new pull job.
 * The holder check makes this a no-op for a pull that runs.
 */
export async function sweepPulls(ctx: WorkerContext): Promise<number> {
  const streams = await ctx.db.liveStream.findMany({
    where: { inputType: 'pull', deletedAt: null, status: { not: 'disabled' } },
    select: { id: true },
    take: 1000,
  });
  let added = 0;
  for (const { id } of streams) {
    if (await ctx.ownership.isHeld(Work.pull(id))) continue;
    await ctx.queues.add(jobs.pull, { liveStreamId: id, at: Math.floor(Date.now() / 60_000) });
    added++;
  }
  return added;
}

/** Recordings whose finalize never got enqueued (Redis was down when the session ended). */
export async function sweepUnfinalized(ctx: WorkerContext): Promise<number> {
  const assets = await ctx.db.asset.findMany({
    where: { status: 'preparing', deletedAt: null, session: { status: 'ended', endedAt: { lt: new Date(Date.now() - GRACE_MS) } } },
    select: { sessionId: true },
    take: 100,
  });
  for (const a of assets) if (a.sessionId) await ctx.queues.add(jobs.finalize, { sessionId: a.sessionId });
  return assets.length;
}

const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** Idempotency answers expire after 24 h; delivered events and their attempts after 30 days. */
export async function pruneExpired(ctx: WorkerContext): Promise<void> {
  const now = Date.now();
  await ctx.db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: new Date(now - IDEMPOTENCY_TTL_MS) } } });
  await ctx.db.event.deleteMany({ where: { dispatchedAt: { not: null }, createdAt: { lt: new Date(now - EVENT_RETENTION_MS) } } });
}

export function startSweepers(ctx: WorkerContext, everyMs = 10_000): () => void {
  let sweeps = 0;
  let running = false;
  // While Postgres is unreachable no heartbeat can land, so every session looks stale once it is
  // back: stale sessions are only judged after a full staleness period of reachable database.
  let dbFailedAt = 0;
  const probe = setInterval(() => void ctx.db.$queryRaw`SELECT 1`.catch(() => (dbFailedAt = Date.now())), 1000);
  probe.unref();
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      if (Date.now() - dbFailedAt > STALE_SESSION_MS) await sweepStaleSessions(ctx);
      await sweepExpiredWindows(ctx);
      await sweepUnfinalized(ctx);
      await sweepLadders(ctx);
      await sweepPulls(ctx);
      const n = await sweepOutbox(ctx);
      if (n) ctx.log.info({ events: n }, 're-dispatched events from the outbox');
      if (sweeps % Math.max(1, Math.round((ctx.config.viewersFlushSeconds * 1000) / everyMs)) === 0) await flushViewers(ctx);
      if (sweeps++ % 240 === 0) await pruneExpired(ctx); // about hourly
    } catch (err) {
      if (isDatabaseUnavailable(err)) dbFailedAt = Date.now();
      ctx.log.warn({ err: (err as Error).message }, 'outbox sweep failed; will retry');
    } finally {
      running = false;
    }
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    clearInterval(probe);
  };
}
