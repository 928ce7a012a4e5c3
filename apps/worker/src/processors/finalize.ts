// An ended session's recording becomes a VOD asset (vod-publish.ts), once its live playlists are
// sealed; the session's own prefix is cleaned up later; a deleted asset's objects are removed.
import { recordingAssetId, storageLayout } from '@airwave/core';
import { jobs } from '@airwave/jobs';
import { Work } from '../ownership.js';
import { CACHE_PLAYLIST } from '@airwave/storage';
import { sealedPlaylist } from '../transcode/playlists.js';
import type { WorkerContext } from '../context.js';
import { publishVod } from './vod-publish.js';

/** The last run of the session (on whichever worker) may still be uploading its final segments: wait for it. */
async function waitForTranscode(ctx: WorkerContext, sessionId: string): Promise<void> {
  for (let i = 0; i < 60 && (await ctx.ownership.isHeld(Work.ladder(sessionId))); i++) await new Promise((r) => setTimeout(r, 500));
}

/** Where an unrecorded session's segments live: removed `liveSegmentRetentionSeconds` after it ends. */
export const liveSessionDir = storageLayout.liveSession;

/**
 * The broadcast is over: its live media playlists get EXT-X-ENDLIST (RFC 8216 §6.2.1), so every
 * player (hls.js, Shaka, VHS, AVPlayer, GStreamer) fires `ended` instead of waiting for more. Not when
 * a newer session of the stream already writes them, and only once the last run has let go.
 */
async function sealLivePlaylists(ctx: WorkerContext, sessionId: string): Promise<number> {
  const session = await ctx.db.liveStreamSession.findUnique({
    where: { id: sessionId },
    include: { liveStream: { select: { playbackId: true, currentSessionId: true } } },
  });
  if (!session || session.status !== 'ended' || session.liveStream.currentSessionId) return 0;
  await waitForTranscode(ctx, sessionId);
  const prefix = `${storageLayout.live(session.liveStream.playbackId)}/`;
  const media = (await ctx.storage.list(prefix)).filter((k) => /^[^/]+\/index\.m3u8$/.test(k.slice(prefix.length)));
  let sealed = 0;
  for (const key of media) {
    const text = await ctx.storage.getText(key);
    const ended = text && sealedPlaylist(text);
    if (ended) {
      await ctx.storage.put(key, ended, CACHE_PLAYLIST);
      sealed++;
    }
  }
  return sealed;
}

export async function finalize(ctx: WorkerContext, data: { sessionId: string }) {
  await sealLivePlaylists(ctx, data.sessionId);
  const assetId = recordingAssetId(data.sessionId);
  const asset = await ctx.db.asset.findUnique({ where: { id: assetId }, include: { session: true } });
  // The session's own prefix: unrecorded segments and LL-HLS parts, only for viewers still catching up.
  await ctx.queues.add(jobs.cleanupLive, data, { delay: ctx.config.liveSegmentRetentionSeconds * 1000 });
  if (!asset) {
    return { recorded: false };
  }
  if (asset.deletedAt || (asset.status === 'ready' && asset.mp4Ready)) return { skipped: true };
  if (asset.session && asset.session.status !== 'ended') return { skipped: 'session still live' };
  await waitForTranscode(ctx, data.sessionId);

  return publishVod(ctx, asset);
}

export async function cleanupLiveSegments(ctx: WorkerContext, data: { sessionId: string }) {
  const session = await ctx.db.liveStreamSession.findUnique({ where: { id: data.sessionId }, include: { liveStream: { select: { playbackId: true } } } });
  if (!session || session.status !== 'ended') return { skipped: true };
  return { objects: await ctx.storage.deletePrefix(`${liveSessionDir(session.liveStream.playbackId, session.id)}/`) };
}

/** `DELETE /v1/assets/:id`: every object under the asset's prefix, listed then deleted in batches. */
export async function deleteAssetObjects(ctx: WorkerContext, data: { assetId: string }) {
  const objects = await ctx.storage.deletePrefix(`${storageLayout.vod(data.assetId)}/`);
  await ctx.db.assetSegment.deleteMany({ where: { assetId: data.assetId } });
  return { objects };
}
