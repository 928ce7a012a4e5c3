// The live ladder as one ffmpeg command (pure; golden-tested). Decode once, `split` + `scale` per
// rung, keyframes forced on segment boundaries so every rendition cuts segments at the same instants.
import path from 'node:path';
import { AUDIO_BITRATE, type Rung, type SourceInfo } from './ladder.js';

export interface LadderJob {
  /** `pipe:0`: the live session as FLV on stdin (@airwave/ffmpeg session-pull.ts); else a file or URL (benchmarks). */
  input: string;
  source: SourceInfo;
  rungs: Rung[];
  segmentSeconds: number;
  outputDir: string;
  /** Distinguishes the segment names of successive runs (restarts, reconnects) of one session. */
  runTag: string;
  /**
   * LL-HLS: ffmpeg cuts fMP4 parts of this length (at any frame, `split_by_time`); the segment
   * publisher groups them into segments at keyframes. Undefined: MPEG-TS segments of `segmentSeconds`.
   */
  partSeconds?: number;
  /** Where to keep rewriting a live thumbnail (one frame every `everySeconds`), if wanted. */
  thumbnail?: { file: string; everySeconds: number; height: number };
  /** How the ladder spends CPU; LADDER_TUNING unless a benchmark compares variants. */
  tuning?: LadderTuning;
}

/**
 * The CPU choices of the ladder, each measured on its own by `npm run bench:ladder` (cost and
 * SSIM/PSNR per rung; docs/media-pipeline.md has the figures).
 */
export interface LadderTuning {
  /** Scale each rung from the rung above it (smaller inputs) rather than each from the source. */
  cascade: boolean;
  /** swscale's algorithm for the rungs. */
  scaler: 'bicubic' | 'bilinear' | 'fast_bilinear' | 'area' | 'lanczos';
  /** Threads of the decoder, by the source's height; 0 leaves ffmpeg's default (frame threads). */
  decoderThreads: (height: number) => number;
  /** Threads of each x264 encoder, by its rung's height; 0 leaves ffmpeg's default (≈1.5 per core, sliced). */
  encoderThreads: (height: number) => number;
  /** x264 preset of an encoded rung of this height. */
  preset: (height: number) => string;
}

/**
 * One thread per codec up to 720p (decoding) and below it (encoding): a host runs many ladders at
 * once, so parallelism across ladders is free, while x264's sliced threads (what zerolatency uses)
 * cost CPU and frame-threaded decoding adds a frame of delay per thread. Bigger pictures keep
 * ffmpeg's threads: ffmpeg 5 runs a ladder's codecs one after another, so a 1080p ladder on one
 * thread would fall behind real time. Cascaded scaling reads smaller pictures at every rung after the
 * first. superfast instead of veryfast: −0.0005 to −0.0023 SSIM, 10–25 % less CPU (docs/media-pipeline.md).
 */
export const LADDER_TUNING: LadderTuning = {
  cascade: true,
  scaler: 'bicubic',
  decoderThreads: (h) => (h <= 720 ? 1 : 0),
  encoderThreads: (h) => (h < 720 ? 1 : 0),
  preset: () => 'superfast',
};
/** Before the tuning (session 6): every rung scaled from the source, ffmpeg's thread defaults, veryfast. */
export const UNTUNED_LADDER: LadderTuning = { cascade: false, scaler: 'bicubic', decoderThreads: () => 0, encoderThreads: () => 0, preset: () => 'veryfast' };

/** Name of the audio-only rendition (audio-only publishes). */
export const AUDIO_ONLY = 'audio';

export function renditionNames(job: Pick<LadderJob, 'rungs' | 'source'>): string[] {
  return job.rungs.length > 0 ? job.rungs.map((r) => r.name) : job.source.hasAudio ? [AUDIO_ONLY] : [];
}

/** A duration as ffmpeg's option parser keeps it: whole microseconds, truncated. */
const partThreshold = (seconds: number) => Math.floor(seconds * 1e6) / 1e6;

/** Finished segments a rendition may hold on local disk while storage is unreachable. */
export const LOCAL_BACKLOG_SEGMENTS = 120;

/** ffmpeg's own playlist entries kept: segments, or parts of LL-HLS runs (the same 120 segments' worth). */
export const localBacklogEntries = (job: Pick<LadderJob, 'segmentSeconds' | 'partSeconds'>) =>
  job.partSeconds ? Math.ceil((LOCAL_BACKLOG_SEGMENTS * job.segmentSeconds) / job.partSeconds) : LOCAL_BACKLOG_SEGMENTS;

export function buildLadderArgs(job: LadderJob): string[] {
  const { rungs, source, segmentSeconds: seg } = job;
  const tuning = job.tuning ?? LADDER_TUNING;
  const decoderThreads = tuning.decoderThreads(source.height ?? 720);
  const fps = Math.round(source.fps ?? 30) || 30;
  const gop = fps * seg;
  const args = [
    '-hide_banner',
    '-nostdin',
    // info: the input's start time (the run's place on the ingest clock, for PROGRAM-DATE-TIME).
    '-loglevel', 'info',
    // Progress lines on stdout let the supervisor see ffmpeg is alive and how fast it runs.
    '-progress', 'pipe:1',
    '-stats_period', '2',
    // The pull from the ingest happens in the worker (the token never reaches a command line); its
    // FLV arrives on stdin and ends when the publisher leaves.
    ...(job.input === 'pipe:0' ? ['-f', 'flv'] : []),
    ...(decoderThreads > 0 ? ['-threads', String(decoderThreads), '-filter_complex_threads', '1'] : []),
    '-i', job.input,
  ];

  if (rungs.length > 0) {
    const encoded = rungs.map((r, i) => ({ r, i })).filter(({ r }) => !r.copy);
    const copying = encoded.length < rungs.length;
    const thumb = job.thumbnail;
    const thumbFrom = encoded[encoded.length - 1]?.i;
    if (encoded.length > 0) {
      args.push('-filter_complex', scaleGraph(encoded, tuning, thumb && { rung: thumbFrom!, everySeconds: thumb.everySeconds }));
    } else if (thumb) {
      // Every rung is the source, copied: the thumbnail needs a decode of its own.
      args.push('-filter_complex', `[0:v:0]fps=1/${thumb.everySeconds},scale=-2:${thumb.height}[thumb]`);
    }
    rungs.forEach((r, i) => {
      args.push('-map', r.copy ? '0:v:0' : `[v${i}]`);
      if (source.hasAudio) args.push('-map', '0:a:0');
    });
    rungs.forEach((r, i) => {
      if (r.copy) {
        args.push(`-c:v:${i}`, 'copy');
        return;
      }
      args.push(
        `-c:v:${i}`, 'libx264',
        `-preset:v:${i}`, tuning.preset(r.height),
        ...(tuning.encoderThreads(r.height) > 0 ? [`-threads:v:${i}`, String(tuning.encoderThreads(r.height))] : []),
        // No lookahead or B-frame delay: segments close as soon as their last frame is in.
        `-tune:v:${i}`, 'zerolatency',
        `-profile:v:${i}`, 'high',
        `-level:v:${i}`, `${r.level[0]}.${r.level[1]}`,
        `-pix_fmt:v:${i}`, 'yuv420p',
        `-b:v:${i}`, String(r.videoBitrate),
        `-maxrate:v:${i}`, String(Math.round(r.videoBitrate * 1.1)),
        `-bufsize:v:${i}`, String(Math.round(r.videoBitrate * 1.5)),
        `-sc_threshold:v:${i}`, '0',
        // Keyframes where segments are cut: the copied source's own keyframes when the top rung is
        // a copy, otherwise every segment length; the GOP cap never adds one in between.
        `-g:v:${i}`, String(copying ? gop * 10 : gop),
        `-keyint_min:v:${i}`, String(copying ? 1 : gop),
        // LL-HLS: exactly where ffmpeg cuts every third part (the same threshold, in whole µs), so
        // segments start on part boundaries however the frame rate divides a second.
        `-force_key_frames:v:${i}`, copying ? 'source' : `expr:gte(t,n_forced*${job.partSeconds ? partThreshold(job.partSeconds) * 3 : seg})`,
      );
    });
  } else if (source.hasAudio) {
    args.push('-map', '0:a:0');
  }

  if (source.hasAudio) {
    // AAC from the encoder is copied into every rendition (no re-encode); anything else becomes AAC.
    if (source.audioCodec === 'aac') args.push('-c:a', 'copy');
    else args.push('-c:a', 'aac', '-b:a', String(AUDIO_BITRATE), '-ac', '2', '-ar', '48000');
  }

  const names = renditionNames(job);
  const streamMap =
    rungs.length > 0
      ? rungs.map((r, i) => (source.hasAudio ? `v:${i},a:${i},name:${r.name}` : `v:${i},name:${r.name}`)).join(' ')
      : `a:0,name:${names[0]}`;
  const part = job.partSeconds;
  // ffmpeg fills %v in the init segment's name only when there are several variants.
  args.push(
    '-f', 'hls',
    '-hls_time', String(part ? partThreshold(part) : seg),
    // ffmpeg's own playlist is how the uploader finds finished segments: it names the last
    // LOCAL_BACKLOG_SEGMENTS, which bounds how long uploads may stall (storage outage) without loss.
    '-hls_list_size', String(localBacklogEntries(job)),
    // temp_file: segments and playlists appear under their final names only when complete.
    // split_by_time (LL-HLS): a part ends on time, not on a keyframe; segments still start on one.
    '-hls_flags', part ? 'independent_segments+temp_file+split_by_time' : 'independent_segments+temp_file',
    ...(part
      ? ['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', `init_${job.runTag}_${names.length > 1 ? '%v' : names[0]}.mp4`, '-hls_segment_filename', path.join(job.outputDir, '%v', `${job.runTag}_%05d.m4s`)]
      : ['-hls_segment_type', 'mpegts', '-hls_segment_filename', path.join(job.outputDir, '%v', `${job.runTag}_%05d.ts`)]),
    '-var_stream_map', streamMap,
    path.join(job.outputDir, '%v', 'index.m3u8'),
  );
  if (job.thumbnail && rungs.length > 0) {
    args.push('-map', '[thumb]', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2', '-update', '1', job.thumbnail.file);
  }
  return args;
}

/**
 * The filter graph: the source decoded once, then one scale per encoded rung, from the source or
 * (cascade) from the rung above, into `[v<i>]`. The thumbnail comes from the lowest rung's already
 * scaled frames: no extra decode or scale.
 */
function scaleGraph(encoded: { r: Rung; i: number }[], tuning: LadderTuning, thumb: { rung: number; everySeconds: number } | undefined): string {
  const scale = (r: Rung) => `scale=${r.width}:${r.height}:flags=${tuning.scaler},setsar=1`;
  const outs = (i: number, extra: string[]) => {
    const labels = [`[v${i}]`, ...(thumb?.rung === i ? ['[t]'] : []), ...extra];
    return labels.length > 1 ? `,split=${labels.length}${labels.join('')}` : labels[0]!;
  };
  const thumbChain = thumb ? `;[t]fps=1/${thumb.everySeconds}[thumb]` : '';
  if (tuning.cascade) {
    const chain = encoded.map(({ r, i }, k) => {
      const from = k === 0 ? '[0:v:0]' : `[c${encoded[k - 1]!.i}]`;
      const next = k < encoded.length - 1 ? [`[c${i}]`] : [];
      return `${from}${scale(r)}${outs(i, next)}`;
    });
    return chain.join(';') + thumbChain;
  }
  const split = encoded.map(({ i }) => `[s${i}]`).join('');
  return `[0:v:0]split=${encoded.length}${split};${encoded.map(({ r, i }) => `[s${i}]${scale(r)}${outs(i, [])}`).join(';')}${thumbChain}`;
}
