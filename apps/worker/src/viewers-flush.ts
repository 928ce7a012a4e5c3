// Viewer counts from Redis into Postgres (packages/jobs viewers.ts): finished 10 s buckets become
// ViewerSample rows (a bucket's count replaces itself, so two workers flushing, or a flush repeated
// after a failure, write the same rows), the current session's peak, an asset's views and watch time.
import { bucketOf, markDirty, pruneLive, recentBuckets, takeDirty, VIEWER_BUCKET_MS, assetViews, type BucketCount } from '@airwave/jobs';
import type { WorkerContext } from './context.js';

/** A live viewer that has not asked for anything in this long is forgotten (it is long not current). */
const FORGET_LIVE_MS = 60_000;

async function upsertSamples(ctx: WorkerContext, targetId: string, buckets: BucketCount[]): Promise<void> {
  if (buckets.length === 0) return;
  await ctx.db.$executeRaw`
    INSERT INTO "ViewerSample" ("targetId", "at", "viewers")
    SELECT ${targetId}, to_timestamp(t / 1000.0), v FROM unnest(${buckets.map((b) => b.at)}::bigint[], ${buckets.map((b) => b.viewers)}::int[]) AS u(t, v)
    ON CONFLICT ("targetId", "at") DO UPDATE SET "viewers" = EXCLUDED."viewers"`;
}

export async function flushViewers(ctx: WorkerContext, now = Date.now()): Promise<{ streams: number; assets: number }> {
  const redis = ctx.queues.redis;
  const prefix = ctx.config.redis.prefix;
  const open = bucketOf(now);
  const dirty = await takeDirty(redis, prefix);
  // Targets still watched have an open bucket that a later flush must write once it closes.
  const again: { playbackIds: string[]; assetIds: string[] } = { playbackIds: [], assetIds: [] };
  try {
    for (const playbackId of dirty.playbackIds) {
      const all = await recentBuckets(redis, prefix, { playbackId }, 0, open + VIEWER_BUCKET_MS);
      const closed = all.filter((b) => b.at < open);
      if (all.length > closed.length) again.playbackIds.push(playbackId);
      const stream = await ctx.db.liveStream.findUnique({
        where: { playbackId },
        select: { id: true, currentSession: { select: { id: true, startedAt: true } } },
      });
      if (stream) {
        await upsertSamples(ctx, stream.id, closed);
        const session = stream.currentSession;
        const peak = Math.max(0, ...closed.filter((b) => session && b.at + VIEWER_BUCKET_MS > session.startedAt.getTime()).map((b) => b.viewers));
        if (session && peak > 0)
          await ctx.db.$executeRaw`UPDATE "LiveStreamSession" SET "viewersPeak" = GREATEST("viewersPeak", ${peak}) WHERE "id" = ${session.id}`;
      }
      await pruneLive(redis, prefix, playbackId, FORGET_LIVE_MS, now);
    }
    for (const assetId of dirty.assetIds) {
      const all = await recentBuckets(redis, prefix, { assetId }, 0, open + VIEWER_BUCKET_MS);
      const closed = all.filter((b) => b.at < open);
      if (all.length > closed.length) again.assetIds.push(assetId);
      if (!(await ctx.db.asset.findUnique({ where: { id: assetId }, select: { id: true } }))) continue;
      await upsertSamples(ctx, assetId, closed);
      const views = await assetViews(redis, prefix, assetId);
      await ctx.db.$executeRaw`
        UPDATE "Asset" SET "views" = GREATEST("views", ${views}),
          "watchTimeSeconds" = (SELECT COALESCE(SUM("viewers"), 0) * ${VIEWER_BUCKET_MS / 1000} FROM "ViewerSample" WHERE "targetId" = ${assetId})
        WHERE "id" = ${assetId}`;
    }
  } catch (err) {
    await markDirty(redis, prefix, dirty).catch(() => undefined);
    throw err;
  }
  await markDirty(redis, prefix, again);
  return { streams: dirty.playbackIds.length, assets: dirty.assetIds.length };
}
