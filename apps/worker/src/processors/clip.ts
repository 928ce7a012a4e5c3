// A clip: the segments of a live stream (by wall-clock time) or of an asset (by offset) that cover
// the requested range, copied object to object into the clip's own prefix (no re-encode; the clip
// outlives its source), listed as its segments, then published like a recording (vod-publish.ts).
// Cuts fall on the nearest segment boundaries outside the range; `clip.actual` says where.
import { initSegmentFor, type ClipSpec, storageLayout } from '@airwave/core';
import HLS from 'hls-parser';
import path from 'node:path';
import type { WorkerContext } from '../context.js';
import { failAsset, publishVod, VOD_CACHE } from './vod-publish.js';

/** One stored segment a clip may take: where it is, how long, and when (wall clock) or where (offset) it starts. */
export interface SourceSegment {
  rendition: string;
  key: string;
  file: string;
  duration: number;
  /** Start on the clip's axis: ms since the epoch (live clips) or seconds from the asset's start. */
  start: number;
}

/** Segments of each rendition overlapping [from, to), in order: a segment is taken whole. */
export function selectSegments(segments: SourceSegment[], from: number, to: number, unit: number): SourceSegment[] {
  return segments.filter((s) => s.start + s.duration * unit > from && s.start < to);
}

/** A recording's segments, from its list; `start` by wall clock or by offset. */
/** No segment is longer than this: a wall-clock range reads only the rows that can overlap it. */
const SEGMENT_MAX_MS = 5 * 60_000;

async function assetSegments(
  ctx: WorkerContext,
  assetId: string,
  axis: 'wallclock' | 'offset',
  range?: { from: number; to: number },
): Promise<SourceSegment[]> {
  // By wall clock, a stream's every recording is searched: only the rows near the range, not all of its history.
  const near = axis === 'wallclock' && range ? { startAt: { gte: new Date(range.from - SEGMENT_MAX_MS), lt: new Date(range.to) } } : {};
  const rows = await ctx.db.assetSegment.findMany({ where: { assetId, ...near }, orderBy: [{ rendition: 'asc' }, { uri: 'asc' }] });
  const offsets = new Map<string, number>();
  return rows.flatMap((r) => {
    const offset = offsets.get(r.rendition) ?? 0;
    offsets.set(r.rendition, offset + r.duration);
    const start = axis === 'offset' ? offset : r.startAt?.getTime();
    return start === undefined
      ? []
      : [{ rendition: r.rendition, key: storageLayout.vodSegment(assetId, r.rendition, r.uri), file: r.uri, duration: r.duration, start }];
  });
}

/** A live stream's segments still in its live playlists (an unrecorded broadcast's DVR window). */
async function livePlaylistSegments(ctx: WorkerContext, playbackId: string): Promise<SourceSegment[]> {
  const master = await ctx.storage.getText(storageLayout.liveMaster(playbackId));
  const parsed = master ? HLS.parse(master) : undefined;
  if (!parsed?.isMasterPlaylist) return [];
  const out: SourceSegment[] = [];
  for (const v of parsed.variants) {
    const rendition = v.uri.split('/')[0]!;
    const text = await ctx.storage.getText(storageLayout.liveMedia(playbackId, rendition));
    const media = text ? HLS.parse(text) : undefined;
    if (!media || media.isMasterPlaylist) continue;
    for (const s of media.segments) {
      if (!s.uri || !s.programDateTime) continue;
      out.push({
        rendition,
        key: path.posix.normalize(`${storageLayout.live(playbackId)}/${rendition}/${s.uri}`),
        file: path.posix.basename(s.uri),
        duration: s.duration,
        start: s.programDateTime.getTime(),
      });
    }
  }
  return out;
}

/** Where the source's segments are, on the axis the clip was asked in. */
async function sourceSegments(ctx: WorkerContext, spec: ClipSpec, range: { from: number; to: number }): Promise<SourceSegment[]> {
  if ('assetId' in spec.source) return assetSegments(ctx, spec.source.assetId, 'offset');
  const stream = await ctx.db.liveStream.findUnique({
    where: { id: spec.source.liveStreamId },
    select: { playbackId: true, assets: { where: { deletedAt: null }, select: { id: true } } },
  });
  if (!stream) throw new Error('the live stream is gone');
  const recorded = (await Promise.all(stream.assets.map((a) => assetSegments(ctx, a.id, 'wallclock', range)))).flat();
  return recorded.length > 0 ? [...recorded, ...(await livePlaylistSegments(ctx, stream.playbackId))] : livePlaylistSegments(ctx, stream.playbackId);
}

const WAIT_FOR_LIVE_MS = 15_000;

export async function clip(ctx: WorkerContext, data: { assetId: string }) {
  const asset = await ctx.db.asset.findUnique({ where: { id: data.assetId } });
  if (!asset || asset.deletedAt || (asset.status === 'ready' && asset.mp4Ready)) return { skipped: true };
  const spec = asset.clip as unknown as ClipSpec;
  const byTime = 'liveStreamId' in spec.source;
  const [from, to, unit] = byTime
    ? [Date.parse(spec.requested.startTime!), Date.parse(spec.requested.endTime!), 1000]
    : [spec.requested.startOffsetSeconds!, spec.requested.endOffsetSeconds!, 1];
  // "The last 30 s" asked while live: the newest segments are still being written; wait for them.
  let chosen: SourceSegment[] = [];
  for (const deadline = Date.now() + (byTime ? WAIT_FOR_LIVE_MS : 0); ; ) {
    const all = await sourceSegments(ctx, spec, { from, to });
    chosen = dedupe(selectSegments(all, from, to, unit));
    const reached = Math.max(...all.map((s) => s.start + s.duration * unit));
    if (!byTime || reached >= to || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (chosen.length === 0) {
    await failAsset(ctx, asset, 'no media in the requested range');
    return { failed: 'no media in the requested range' };
  }

  const renditions = [...new Set(chosen.map((s) => s.rendition))];
  // Copy within the bucket (the storage does the work), the init segments of fMP4 runs too.
  const copies = new Map<string, string>();
  for (const s of chosen) {
    copies.set(s.key, storageLayout.vodSegment(asset.id, s.rendition, s.file));
    const init = initSegmentFor(s.file);
    if (init) copies.set(path.posix.join(path.posix.dirname(s.key), init), storageLayout.vodSegment(asset.id, s.rendition, init));
  }
  await mapLimit([...copies], 16, ([src, dst]) => ctx.storage.copy(src, dst));
  await ctx.db.assetSegment.createMany({
    data: chosen.map((s) => ({ assetId: asset.id, rendition: s.rendition, uri: s.file, duration: s.duration, startAt: byTime ? new Date(s.start) : null })),
    skipDuplicates: true,
  });
  await ctx.storage.put(storageLayout.vodMaster(asset.id), await masterFor(ctx, spec, renditions), VOD_CACHE);

  const top = chosen.filter((s) => s.rendition === renditions[0]);
  const actualStart = top[0]!.start;
  const actualEnd = top.at(-1)!.start + top.at(-1)!.duration * unit;
  const actual = byTime
    ? { startTime: new Date(actualStart).toISOString(), endTime: new Date(actualEnd).toISOString() }
    : { startOffsetSeconds: round(actualStart), endOffsetSeconds: round(actualEnd) };
  const updated = await ctx.db.asset.update({ where: { id: asset.id }, data: { clip: { ...spec, actual } as object } });
  return publishVod(ctx, updated);
}

/** A recording and the live playlists may both name a segment: once each. */
function dedupe(segments: SourceSegment[]): SourceSegment[] {
  const seen = new Set<string>();
  return segments
    .filter((s) => !seen.has(`${s.rendition}/${s.file}`) && seen.add(`${s.rendition}/${s.file}`))
    .sort((a, b) => a.rendition.localeCompare(b.rendition) || a.start - b.start);
}

/** The source's master, keeping the renditions the clip has (its first variant is the top rung). */
async function masterFor(ctx: WorkerContext, spec: ClipSpec, renditions: string[]): Promise<string> {
  const key =
    'assetId' in spec.source
      ? storageLayout.vodMaster(spec.source.assetId)
      : storageLayout.liveMaster(
          (await ctx.db.liveStream.findUniqueOrThrow({ where: { id: spec.source.liveStreamId }, select: { playbackId: true } })).playbackId,
        );
  const text = await ctx.storage.getText(key);
  const master = text ? HLS.parse(text) : undefined;
  if (!master?.isMasterPlaylist) throw new Error('the source has no master playlist');
  master.variants = master.variants.filter((v) => renditions.includes(v.uri.split('/')[0]!));
  return HLS.stringify(master);
}

const round = (n: number) => Math.round(n * 1000) / 1000;

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
