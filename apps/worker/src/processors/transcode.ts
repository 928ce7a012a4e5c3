// One live ladder run for one session: pull from the ingest holding it, encode, publish to storage.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { liveStreamState, recordingAssetId, updateHealthInputs, storageLayout } from '@airwave/core';
import type { TranscodePayload } from '@airwave/jobs';
import { runFfmpegOnSession, sessionTracks } from '@airwave/ffmpeg';
import { Work, type Hold } from '../ownership.js';
import { HAND_BACK, runHeld } from '../takeover.js';
import { liveSessionDir } from './finalize.js';
import { UnrecoverableError, type Job } from 'bullmq';
import type { WorkerContext } from '../context.js';
import { workerMetrics } from '../metrics.js';
import { buildLadderArgs, renditionNames } from '../transcode/ffmpeg-args.js';
import { unsupportedInputReason, type FfmpegRun } from '@airwave/ffmpeg';
import { llPartSeconds, planLadder, segmentSeconds, unsupportedSource, type SourceInfo } from '../transcode/ladder.js';
import { renderMaster } from '../transcode/playlists.js';
import { SegmentPublisher } from '../transcode/segment-publisher.js';
import { ThumbnailPublisher } from '../transcode/thumbnail-publisher.js';

/** What the ingest reported about the encoder (session.stats), as the ladder planner needs it. */
export function sourceFromStats(stats: unknown): SourceInfo {
  const s = (stats ?? {}) as Record<string, unknown>;
  return {
    hasVideo: typeof s.videoCodec === 'string',
    hasAudio: typeof s.audioCodec === 'string',
    width: typeof s.width === 'number' ? s.width : undefined,
    height: typeof s.height === 'number' ? s.height : undefined,
    fps: typeof s.fps === 'number' && s.fps > 0 ? s.fps : undefined,
    videoCodec: s.videoCodec as string | undefined,
    audioCodec: s.audioCodec as string | undefined,
    videoCodecString: typeof s.videoCodecString === 'string' ? s.videoCodecString : undefined,
    keyframeIntervalSeconds: typeof s.keyframeIntervalSeconds === 'number' ? s.keyframeIntervalSeconds : undefined,
    bitrateKbps: typeof s.bitrateKbps === 'number' ? s.bitrateKbps : undefined,
    protocol: typeof s.protocol === 'string' ? s.protocol : undefined,
  };
}

const LIVE = new Set(['connected', 'active']);

type LiveSession = NonNullable<Awaited<ReturnType<typeof loadSession>>>;
const loadSession = (ctx: WorkerContext, sessionId: string) => ctx.db.liveStreamSession.findUnique({ where: { id: sessionId }, include: { liveStream: true } });

export async function transcode(ctx: WorkerContext, job: Job<TranscodePayload>) {
  const { sessionId } = job.data;
  const session = await loadSession(ctx, sessionId);
  if (!session || !LIVE.has(session.status)) return { skipped: 'session not live' };
  // A reconnect starts a new run of the session; a retry of an older run must not compete with it.
  if (session.reconnects !== job.data.run) return { skipped: 'superseded by a newer run' };
  // One ffmpeg per session, whichever job asks: a live worker already running it wins.
  return runHeld(ctx, Work.ladder(sessionId), `${job.id}#${job.attemptsMade}`, (hold) => runLadder(ctx, job, session, hold));
}

async function runLadder(ctx: WorkerContext, job: Job<TranscodePayload>, session: LiveSession, hold: Hold) {
  const { db, config, log: baseLog } = ctx;
  const { sessionId } = job.data;
  const log = baseLog.child({ sessionId, job: job.id });
  const stream = session.liveStream;

  const source = sourceFromStats(session.stats);
  if (!source.hasVideo && !source.hasAudio) {
    await db.liveStreamSession.update({ where: { id: sessionId }, data: { error: 'The encoder sent neither audio nor video' } });
    throw new UnrecoverableError('no audio or video in the publish');
  }
  const unsupported = unsupportedSource(source);
  if (unsupported) {
    await db.liveStreamSession.update({ where: { id: sessionId }, data: { error: unsupported } });
    log.warn({ reason: unsupported }, 'unsupported input; not transcoding');
    throw new UnrecoverableError(unsupported);
  }
  const seg = segmentSeconds(stream.latencyMode);
  // Without a segment length to check against, the planner copies nothing.
  const rungs = planLadder(source, stream.renditions, job.data.encodeEveryRung ? undefined : seg);
  const partSeconds = llPartSeconds(stream.latencyMode, rungs[0]?.copy ? source.keyframeIntervalSeconds : undefined);
  const transcodePath = rungs[0]?.copy ? 'copy' : 'encode';
  // Sortable: by reconnect, then by start time (a restart of the same run). Recording order = name order.
  const runTag = `${String(job.data.run).padStart(4, '0')}-${Date.now().toString(36)}`;
  const outputDir = path.join(config.transcodeDir, `${sessionId}-${runTag}`);
  const names = renditionNames({ rungs, source });
  /** Set when the copied top rung produced a segment too long: the keyframe gap seen, in seconds. */
  const copyCheck = { rejectedGap: 0 };
  let ffmpeg: FfmpegRun | undefined;
  await Promise.all(names.map((n) => mkdir(path.join(outputDir, n), { recursive: true })));

  // When content time 0 of this publish reached the ingest (its clock), from the ingest's stats.
  const epochMs = (session.stats as { timelineEpochMs?: number } | null)?.timelineEpochMs;
  const recording = stream.record ? openRecording(ctx, sessionId) : undefined;
  const publisher = new SegmentPublisher({
    storage: ctx.storage,
    prefix: storageLayout.live(stream.playbackId),
    // Not recorded: the session's segments get a prefix of their own, removed after it ends.
    segmentDir: recording?.dir ?? liveSessionDir(stream.playbackId, sessionId),
    // LL-HLS parts are for the live edge only: never in the recording, removed after the session.
    partDir: liveSessionDir(stream.playbackId, sessionId),
    partSeconds,
    verifyFirstSegment: Boolean(rungs[0]?.copy),
    masterCopies: recording ? [`${recording.dir}/index.m3u8`] : [],
    onUploaded: recording?.add,
    outputDir,
    renditions: names,
    segmentSeconds: seg,
    dvrWindowSeconds: stream.dvrWindowSeconds,
    masterPlaylist: renderMaster(rungs, source.hasAudio, source.fps ?? 30),
    log,
    // The copy path was chosen before the encoder's keyframe interval was measured (to start from its
    // first keyframe): a copied segment much longer than the target means the keyframes are too far
    // apart, so this run stops before publishing it and the retry encodes every rung.
    onSegment: (name, duration) => {
      if (!rungs[0]?.copy || name !== rungs[0].name || duration <= seg * 1.5) return copyCheck.rejectedGap === 0;
      if (copyCheck.rejectedGap === 0) {
        copyCheck.rejectedGap = duration;
        void ffmpeg?.stop();
      }
      return false;
    },
    timeline: () => {
      const startSeconds = ffmpeg?.inputStartSeconds();
      return epochMs !== undefined && startSeconds !== undefined ? { epochMs, startSeconds } : undefined;
    },
    onPlayable: async () => {
      await db.$transaction((tx) => liveStreamState.markActive(tx, sessionId, { urls: ctx.urls }));
      log.info({ renditions: names }, 'stream is playable');
    },
  });
  await publisher.start();
  await db.liveStreamSession.update({ where: { id: sessionId }, data: { transcodePath, error: null } });

  const thumbnail = rungs.length > 0 ? { file: path.join(outputDir, 'thumbnail.jpg'), everySeconds: 10, height: 240 } : undefined;
  const thumbs = thumbnail && new ThumbnailPublisher(ctx.storage, thumbnail.file, storageLayout.thumbnail(stream.playbackId));
  thumbs?.start();
  const run = runFfmpegOnSession(
    ctx.config,
    { ...session, tracks: sessionTracks(session.stats) },
    buildLadderArgs({ input: 'pipe:0', source, rungs, segmentSeconds: seg, partSeconds, outputDir, runTag, thumbnail }),
    log,
  );
  ffmpeg = run;
  log.info({ pid: run.pid, renditions: names, segmentSeconds: seg, transcodePath, attempt: job.attemptsMade + 1 }, 'ffmpeg started');
  const gauge = workerMetrics.ladder(sessionId, stream.latencyMode);
  const reporter = setInterval(() => {
    const progress = run.progress();
    gauge.report(progress);
    void reportTranscodeStats(ctx, sessionId, { ...progress, renditions: names, path: transcodePath });
  }, 5000);
  const unsubscribe = ctx.control.onStop(sessionId, () => void run.stop());
  hold.onLost(() => void run.stop());
  const code = await run.exited;
  unsubscribe();
  clearInterval(reporter);
  gauge.end();
  thumbs?.stop();
  // Ended (complete, disable, delete, or gone with no reconnect window): the last playlists say so.
  const ended = (await db.liveStreamSession.findUnique({ where: { id: sessionId }, select: { status: true } }).catch(() => null))?.status === 'ended';
  await publisher.close({ endlist: ended && !ctx.control.shuttingDown });
  await rm(outputDir, { recursive: true, force: true });

  if (ctx.control.shuttingDown) return HAND_BACK;
  if (copyCheck.rejectedGap > 0) {
    // The retries of this job encode every rung.
    await job.updateData({ ...job.data, encodeEveryRung: true });
    throw new Error(`keyframes ${copyCheck.rejectedGap.toFixed(1)} s apart: too far for the copy path; encoding every rung`);
  }
  // An ended session's finalize was recorded with the transition that ended it; it waits for this
  // run to let go of the session before it reads the recording.
  if (run.stoppedByUs()) return { stopped: true, segments: publisher.uploadedSegments };
  const now = await db.liveStreamSession.findUnique({ where: { id: sessionId }, select: { status: true, reconnects: true } });
  if (!now || !LIVE.has(now.status) || now.reconnects !== job.data.run) return { ended: true, segments: publisher.uploadedSegments };

  const tail = run.stderrTail();
  const undecodable = publisher.uploadedSegments === 0 ? unsupportedInputReason(tail) : undefined;
  if (undecodable) {
    await db.liveStreamSession.update({ where: { id: sessionId }, data: { error: `Cannot process this input: ${undecodable}` } });
    log.warn({ reason: undecodable }, 'undecodable input; not retrying');
    throw new UnrecoverableError(undecodable);
  }
  // Still live but ffmpeg died: BullMQ retries this job, and the playlists continue with a discontinuity.
  throw publisher.error ?? new Error(`ffmpeg exited with code ${code}: ${tail.split('\n').slice(-3).join(' | ')}`);
}

/** The worker's side of stream health: whether its ffmpeg keeps up (speed) and drops frames. */
async function reportTranscodeStats(ctx: WorkerContext, sessionId: string, transcodeStats: Record<string, unknown>) {
  try {
    await ctx.db.$transaction(async (tx) => {
      const session = await tx.liveStreamSession.findUnique({ where: { id: sessionId }, include: { liveStream: { select: { projectId: true } } } });
      if (!session || !LIVE.has(session.status)) return [];
      return updateHealthInputs(tx, session, { transcodeStats }, ctx.urls);
    });
  } catch (err) {
    ctx.log.warn({ sessionId, err: (err as Error).message }, 'could not report transcode stats');
  }
}

/**
 * A recorded session's segments are stored under its asset, `vod/<assetId>/<rendition>/`, and listed
 * in AssetSegment as they are uploaded. Finalize turns the list into VOD playlists without touching
 * the media.
 */
function openRecording(ctx: WorkerContext, sessionId: string) {
  const assetId = recordingAssetId(sessionId);
  return {
    dir: storageLayout.vod(assetId),
    add: async (rendition: string, uri: string, duration: number, _discontinuity: boolean, startAt?: Date) => {
      await ctx.db.assetSegment.createMany({ data: [{ assetId, rendition, uri, duration, startAt }], skipDuplicates: true });
    },
  };
}
