// An asset whose segments are stored and listed (AssetSegment) becomes playable on demand, without
// re-encoding: VOD playlists from the list, the master written beside them, a thumbnail, then an MP4
// of the top rendition remuxed with `-c copy`. Recordings (finalize.ts) and clips (clip.ts) end here.
// Any failure before `ready` marks the asset errored with the reason (and the job is retried).
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initSegmentFor, presentAsset, recordEvent, targetDurationFor, withFinalNewline, storageLayout } from '@airwave/core';
import type { Asset } from '@airwave/db';
import { CACHE_IMMUTABLE } from '@airwave/storage';
import HLS from 'hls-parser';
import type { WorkerContext } from '../context.js';
import { mp4RemuxArgs, oneShot, READ_HTTP_PLAYLIST, resolveFfmpeg, runFfmpegToCompletion, vodThumbnailArgs } from '@airwave/ffmpeg';
import { storyboardArgs, storyboardPlan, storyboardVtt } from '../transcode/storyboard.js';

const { MediaPlaylist, Segment, MediaInitializationSection } = HLS.types;
export const VOD_CACHE = 'public, max-age=300';

async function setStatus(ctx: WorkerContext, asset: Asset, data: { status: 'ready' | 'errored'; durationSeconds?: number; errorMessage?: string | null }) {
  await ctx.db.$transaction(async (tx) => {
    const updated = await tx.asset.update({ where: { id: asset.id }, data });
    await recordEvent(tx, asset.projectId, data.status === 'ready' ? 'asset.ready' : 'asset.errored', presentAsset(updated, ctx.urls));
  });
}

/** The asset cannot be made: errored, with the reason (asset.errored). */
export const failAsset = (ctx: WorkerContext, asset: Asset, why: string) => setStatus(ctx, asset, { status: 'errored', errorMessage: why });

interface RecordedSegment {
  uri: string;
  duration: number;
}

/** The VOD playlist of one rendition; a new run tag (the part before '_') is a reconnect or a restart. */
export function vodPlaylist<T extends RecordedSegment>(
  segs: T[],
  uriOf: (s: T, i: number) => string,
  initOf: (s: T, i: number) => string | undefined = (s, i) => initSegmentFor(uriOf(s, i)),
): string {
  const playlist = new MediaPlaylist({
    // 6: EXT-X-MAP (fMP4 segments of LL-HLS runs); 3 otherwise.
    version: segs.some((s, i) => initOf(s, i)) ? 6 : 3,
    targetDuration: targetDurationFor(segs.map((s) => s.duration)),
    playlistType: 'VOD',
    endlist: true,
    independentSegments: true,
    segments: segs.map((s, i) => {
      const discontinuity = i > 0 && s.uri.split('_')[0] !== segs[i - 1]!.uri.split('_')[0];
      const uri = uriOf(s, i);
      const init = initOf(s, i);
      const map = init ? new MediaInitializationSection({ uri: init }) : undefined;
      return new Segment({ uri, duration: s.duration, discontinuity, mediaSequenceNumber: i, discontinuitySequence: 0, map });
    }),
  });
  return withFinalNewline(HLS.stringify(playlist));
}

async function makeStoryboard(
  ctx: WorkerContext,
  bin: string,
  assetId: string,
  input: { file: string },
  durationSeconds: number,
  size: { width: number; height: number },
  work: string,
) {
  const plan = storyboardPlan(durationSeconds, size);
  const jpg = path.join(work, 'storyboard.jpg');
  await runFfmpegToCompletion(bin, oneShot(storyboardArgs(input.file, plan, jpg, READ_HTTP_PLAYLIST)));
  await ctx.storage.putFile(storageLayout.vodFile(assetId, 'storyboard.jpg'), jpg, CACHE_IMMUTABLE);
  await ctx.storage.put(storageLayout.vodFile(assetId, 'storyboard.vtt'), storyboardVtt(plan, durationSeconds, 'storyboard.jpg'), CACHE_IMMUTABLE);
  await ctx.db.asset.update({ where: { id: assetId }, data: { storyboardReady: true } });
}

export async function publishVod(ctx: WorkerContext, asset: Asset) {
  const assetId = asset.id;
  const work = await mkdtemp(path.join(os.tmpdir(), `airwave-vod-${assetId}-`));
  try {
    const rows = await ctx.db.assetSegment.findMany({ where: { assetId }, orderBy: [{ rendition: 'asc' }, { uri: 'asc' }] });
    if (rows.length === 0) throw new Error('the asset has no media');
    const byRendition = new Map<string, typeof rows>();
    for (const r of rows) byRendition.set(r.rendition, [...(byRendition.get(r.rendition) ?? []), r]);

    for (const [rendition, segs] of byRendition) {
      await ctx.storage.put(
        storageLayout.vodMedia(assetId, rendition),
        vodPlaylist(segs, (s) => s.uri),
        VOD_CACHE,
      );
    }

    // The run wrote the master next to the recording; its first variant is the top rendition.
    const masterText = await ctx.storage.getText(storageLayout.vodMaster(assetId));
    const master = masterText ? HLS.parse(masterText) : undefined;
    if (!master?.isMasterPlaylist || master.variants.length === 0) throw new Error('the recording has no master playlist');
    const top = master.variants[0]!.uri.split('/')[0]!;
    const topSegs = byRendition.get(top);
    if (!topSegs) throw new Error(`no segments recorded for ${top}`);
    const durationSeconds = Math.round(topSegs.reduce((n, s) => n + s.duration, 0) * 1000) / 1000;

    const bin = resolveFfmpeg(ctx.config.ffmpegPath);
    // ffmpeg reads the bucket itself through presigned URLs: the CDN may need a playback token or
    // an allowed origin, and a private bucket answers nobody else.
    const signedPlaylist = async (rendition: string, segs: typeof rows) => {
      const presign = (file: string) => ctx.storage.presignGet(storageLayout.vodSegment(assetId, rendition, file), 6 * 3600);
      const signed = await Promise.all(segs.map((s) => presign(s.uri)));
      // fMP4 runs (LL-HLS): each run's initialization segment, signed once.
      const inits = new Map(
        await Promise.all(
          [...new Set(segs.map((s) => initSegmentFor(s.uri)).filter((u): u is string => !!u))].map(async (u) => [u, await presign(u)] as const),
        ),
      );
      const file = path.join(work, `${rendition}.m3u8`);
      await writeFile(
        file,
        vodPlaylist(
          segs,
          (_s, i) => signed[i]!,
          (s) => inits.get(initSegmentFor(s.uri) ?? ''),
        ),
      );
      return { file, fmp4: inits.size > 0 };
    };
    const { file: topUrl, fmp4 } = await signedPlaylist(top, topSegs);
    if (master.variants[0]!.resolution) {
      const jpg = path.join(work, 'thumbnail.jpg');
      // ffmpeg 5.1 seeks fMP4 (LL-HLS) playlists badly: those give their first frame instead.
      await runFfmpegToCompletion(bin, vodThumbnailArgs(topUrl, jpg, fmp4 ? undefined : Math.min(2, durationSeconds / 2)));
      if ((await stat(jpg)).size > 0) await ctx.storage.putFile(storageLayout.vodFile(assetId, 'thumbnail.jpg'), jpg, CACHE_IMMUTABLE);
    }
    // Playable now: the HLS recording does not wait for the MP4, whose remux grows with the length.
    await setStatus(ctx, asset, { status: 'ready', durationSeconds, errorMessage: null });
    ctx.log.info({ assetId, durationSeconds, renditions: [...byRendition.keys()] }, 'asset ready');

    // MP4 of the top rendition: a remux, not an encode; faststart so it plays while downloading.
    const mp4 = path.join(work, 'recording.mp4');
    await runFfmpegToCompletion(bin, mp4RemuxArgs(topUrl, mp4));
    await ctx.storage.putFile(storageLayout.vodFile(assetId, 'recording.mp4'), mp4, CACHE_IMMUTABLE);
    await ctx.db.asset.update({ where: { id: asset.id }, data: { mp4Ready: true } });

    // Seek-bar previews from the lowest rendition (the last variant): a failure leaves none, not an error.
    const low = master.variants.at(-1)!;
    const lowSegs = byRendition.get(low.uri.split('/')[0]!);
    if (low.resolution && lowSegs) {
      await makeStoryboard(ctx, bin, assetId, await signedPlaylist(low.uri.split('/')[0]!, lowSegs), durationSeconds, low.resolution, work).catch(
        (err: Error) => ctx.log.warn({ assetId, err: err.message }, 'no storyboard for this asset'),
      );
    }
    return { assetId, durationSeconds };
  } catch (err) {
    // A recording that is already playable stays ready; only its MP4 is retried.
    const now = await ctx.db.asset.findUnique({ where: { id: asset.id }, select: { status: true } });
    if (now?.status !== 'ready') await setStatus(ctx, asset, { status: 'errored', errorMessage: (err as Error).message });
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
