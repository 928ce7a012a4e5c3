// An ended session's recording becomes a VOD asset, without re-encoding: VOD playlists from the
// recorded segment list, the live master, an MP4 of the top rendition remuxed with `-c copy`, and a
// thumbnail. Any failure marks the asset errored with the reason (and the job is retried).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initSegmentFor, presentAsset, recordEvent, recordingAssetId, targetDurationFor, withFinalNewline } from '@airwave/core';
import type { Asset } from '@airwave/db';
import { jobs } from '@airwave/jobs';
import { Work } from '../ownership.js';
import { CACHE_IMMUTABLE, CACHE_PLAYLIST } from '@airwave/storage';
import { sealedPlaylist } from '../transcode/playlists.js';
import HLS from 'hls-parser';
import type { WorkerContext } from '../context.js';
import { resolveFfmpeg } from '@airwave/ffmpeg';

const { MediaPlaylist, Segment, MediaInitializationSection } = HLS.types;
const VOD_CACHE = 'public, max-age=300';

function ffmpeg(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err.trim().split('\n').slice(-2).join(' | ').replace(/\?[^\s'"]*/g, '?…')}`))));
  });
}

async function setStatus(ctx: WorkerContext, asset: Asset, data: { status: 'ready' | 'errored'; durationSeconds?: number; errorMessage?: string | null }) {
  await ctx.db.$transaction(async (tx) => {
    const updated = await tx.asset.update({ where: { id: asset.id }, data });
    await recordEvent(tx, asset.projectId, data.status === 'ready' ? 'asset.ready' : 'asset.errored', presentAsset(updated, ctx.urls));
  });
}

/** The last run of the session (on whichever worker) may still be uploading its final segments: wait for it. */
async function waitForTranscode(ctx: WorkerContext, sessionId: string): Promise<void> {
  for (let i = 0; i < 60 && (await ctx.ownership.isHeld(Work.ladder(sessionId))); i++) await new Promise((r) => setTimeout(r, 500));
}

/** Where an unrecorded session's segments live: removed `liveSegmentRetentionSeconds` after it ends. */
export const liveSessionDir = (playbackId: string, sessionId: string) => `live/${playbackId}/sessions/${sessionId}`;

/** A local playlist naming http(s) segments. */
const READ_PLAYLIST = ['-protocol_whitelist', 'file,http,https,tcp,tls,crypto'];

interface RecordedSegment {
  uri: string;
  duration: number;
}

/** The VOD playlist of one rendition; a new run tag (the part before '_') is a reconnect or a restart. */
function vodPlaylist<T extends RecordedSegment>(segs: T[], uriOf: (s: T, i: number) => string, initOf: (s: T, i: number) => string | undefined = (s, i) => initSegmentFor(uriOf(s, i))): string {
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

/**
 * The broadcast is over: its live media playlists get EXT-X-ENDLIST (RFC 8216 §6.2.1), so every
 * player (hls.js, Shaka, VHS, AVPlayer, GStreamer) fires `ended` instead of waiting for more. Not when
 * a newer session of the stream already writes them, and only once the last run has let go.
 */
async function sealLivePlaylists(ctx: WorkerContext, sessionId: string): Promise<number> {
  const session = await ctx.db.liveStreamSession.findUnique({ where: { id: sessionId }, include: { liveStream: { select: { playbackId: true, currentSessionId: true } } } });
  if (!session || session.status !== 'ended' || session.liveStream.currentSessionId) return 0;
  await waitForTranscode(ctx, sessionId);
  const prefix = `live/${session.liveStream.playbackId}/`;
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

  const work = await mkdtemp(path.join(os.tmpdir(), `airwave-vod-${assetId}-`));
  try {
    const rows = await ctx.db.assetSegment.findMany({ where: { assetId }, orderBy: [{ rendition: 'asc' }, { uri: 'asc' }] });
    if (rows.length === 0) throw new Error('the broadcast produced no media');
    const byRendition = new Map<string, typeof rows>();
    for (const r of rows) byRendition.set(r.rendition, [...(byRendition.get(r.rendition) ?? []), r]);

    for (const [rendition, segs] of byRendition) {
      await ctx.storage.put(`vod/${assetId}/${rendition}/index.m3u8`, vodPlaylist(segs, (s) => s.uri), VOD_CACHE);
    }

    // The run wrote the master next to the recording; its first variant is the top rendition.
    const masterText = await ctx.storage.getText(`vod/${assetId}/index.m3u8`);
    const master = masterText ? HLS.parse(masterText) : undefined;
    if (!master?.isMasterPlaylist || master.variants.length === 0) throw new Error('the recording has no master playlist');
    const top = master.variants[0]!.uri.split('/')[0]!;
    const topSegs = byRendition.get(top);
    if (!topSegs) throw new Error(`no segments recorded for ${top}`);
    const durationSeconds = Math.round(topSegs.reduce((n, s) => n + s.duration, 0) * 1000) / 1000;

    const bin = resolveFfmpeg(ctx.config.ffmpegPath);
    // ffmpeg reads the bucket itself through presigned URLs: the CDN may need a playback token or
    // an allowed origin, and a private bucket answers nobody else.
    const presign = (file: string) => ctx.storage.presignGet(`vod/${assetId}/${top}/${file}`, 6 * 3600);
    const signed = await Promise.all(topSegs.map((s) => presign(s.uri)));
    // fMP4 runs (LL-HLS): each run's initialization segment, signed once.
    const inits = new Map(await Promise.all([...new Set(topSegs.map((s) => initSegmentFor(s.uri)).filter((u): u is string => !!u))].map(async (u) => [u, await presign(u)] as const)));
    const topUrl = path.join(work, 'top.m3u8');
    await writeFile(topUrl, vodPlaylist(topSegs, (_s, i) => signed[i]!, (s) => inits.get(initSegmentFor(s.uri) ?? '')));
    if (master.variants[0]!.resolution) {
      const jpg = path.join(work, 'thumbnail.jpg');
      // ffmpeg 5.1 seeks fMP4 (LL-HLS) playlists badly: those give their first frame instead.
      const seek = inits.size > 0 ? [] : ['-ss', String(Math.min(2, durationSeconds / 2))];
      await ffmpeg(bin, [...seek, ...READ_PLAYLIST, '-i', topUrl, '-frames:v', '1', '-vf', 'scale=-2:360', jpg]);
      if ((await stat(jpg)).size > 0) await ctx.storage.putFile(`vod/${assetId}/thumbnail.jpg`, jpg, CACHE_IMMUTABLE);
    }
    // Playable now: the HLS recording does not wait for the MP4, whose remux grows with the length.
    await setStatus(ctx, asset, { status: 'ready', durationSeconds, errorMessage: null });
    ctx.log.info({ assetId, durationSeconds, renditions: [...byRendition.keys()] }, 'asset ready');

    // MP4 of the top rendition: a remux, not an encode; faststart so it plays while downloading.
    const mp4 = path.join(work, 'recording.mp4');
    await ffmpeg(bin, [...READ_PLAYLIST, '-i', topUrl, '-map', '0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', mp4]);
    await ctx.storage.putFile(`vod/${assetId}/recording.mp4`, mp4, CACHE_IMMUTABLE);
    await ctx.db.asset.update({ where: { id: asset.id }, data: { mp4Ready: true } });
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

export async function cleanupLiveSegments(ctx: WorkerContext, data: { sessionId: string }) {
  const session = await ctx.db.liveStreamSession.findUnique({ where: { id: data.sessionId }, include: { liveStream: { select: { playbackId: true } } } });
  if (!session || session.status !== 'ended') return { skipped: true };
  return { objects: await ctx.storage.deletePrefix(`${liveSessionDir(session.liveStream.playbackId, session.id)}/`) };
}

/** `DELETE /v1/assets/:id`: every object under the asset's prefix, listed then deleted in batches. */
export async function deleteAssetObjects(ctx: WorkerContext, data: { assetId: string }) {
  const objects = await ctx.storage.deletePrefix(`vod/${data.assetId}/`);
  await ctx.db.assetSegment.deleteMany({ where: { assetId: data.assetId } });
  return { objects };
}
