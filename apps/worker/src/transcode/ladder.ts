// Which renditions a session gets (pure). Never upscale: only rungs at or below the source height;
// a source smaller than every requested rung gets one rendition at its own size.
import { LADDER } from '@airwave/core';

export interface SourceInfo {
  hasVideo: boolean;
  hasAudio: boolean;
  width?: number;
  height?: number;
  fps?: number;
  videoCodec?: string;
  audioCodec?: string;
  /** RFC 6381 codec string of the source video, e.g. avc1.64001f (from its AVC configuration). */
  videoCodecString?: string;
  keyframeIntervalSeconds?: number;
  bitrateKbps?: number;
  /** rtmp, srt or whip (bridged): a WHIP publisher's keyframes come on request, at no set spacing. */
  protocol?: string;
}

export interface Rung {
  name: string;
  width: number;
  height: number;
  videoBitrate: number;
  /** H.264 level for this size at ≤ 30 fps (60 fps one step up), as `CODECS` needs it. */
  level: string;
  /** The source itself, copied without re-encoding (its codec string, when known). */
  copy?: { codecs?: string };
}

export const AUDIO_BITRATE = 128_000;

/** What we accept from encoders, as Mux and IVS do: H.264 video; AAC (copied) or MP3 (re-encoded) audio. */
const SUPPORTED_VIDEO = new Set(['h264']);
const SUPPORTED_AUDIO = new Set(['aac', 'mp3']);

/** Why this source cannot be processed, in words an encoder operator can act on; undefined when fine. */
export function unsupportedSource(source: SourceInfo): string | undefined {
  const problems: string[] = [];
  if (source.hasVideo && !SUPPORTED_VIDEO.has(source.videoCodec ?? '')) problems.push(`video codec ${source.videoCodec}`);
  if (source.hasAudio && !SUPPORTED_AUDIO.has(source.audioCodec ?? '')) problems.push(`audio codec ${source.audioCodec}`);
  if (problems.length === 0) return undefined;
  return `Unsupported ${problems.join(' and ')}: send H.264 video with AAC or MP3 audio`;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

function levelFor(height: number, fps: number): string {
  const base = height > 720 ? 40 : height > 480 ? 31 : height > 240 ? 30 : 21;
  const bumped = fps > 30 ? { 40: 42, 31: 32, 30: 31, 21: 30 }[base]! : base;
  return String(bumped);
}

/** `avc1.6400xx` (High profile) for a rung, `mp4a.40.2` for AAC-LC. */
export function codecsFor(rung: Rung | undefined, hasAudio: boolean): string {
  const parts: string[] = [];
  if (rung) parts.push(rung.copy?.codecs ?? `avc1.6400${Number(rung.level).toString(16).padStart(2, '0')}`);
  if (hasAudio) parts.push('mp4a.40.2');
  return parts.join(',');
}

/**
 * The top rendition can be the source itself (DESIGN.md §5): H.264 with AAC (or no audio), exactly
 * the top rung's size, and keyframes at most one segment apart so every rendition can cut its
 * segments at the source's keyframes. That skips the largest encode of the ladder.
 */
export function canCopyTop(source: SourceInfo, top: Rung | undefined, segmentSeconds: number): boolean {
  return (
    top !== undefined &&
    source.videoCodec === 'h264' &&
    (!source.hasAudio || source.audioCodec === 'aac') &&
    source.height === top.height &&
    source.width === top.width &&
    // A browser's encoder sends keyframes when the bridge asks (PLI), and under load it may not for
    // seconds: a copied rung would then have no segment boundary. Encoding every rung sets them.
    source.protocol !== 'whip' &&
    // Not yet measured (the ladder starts at the encoder's first keyframe): assume the common 2 s
    // and let the run verify it (see the transcode processor).
    (source.keyframeIntervalSeconds === undefined || source.keyframeIntervalSeconds <= segmentSeconds + 0.01)
  );
}

export function planLadder(source: SourceInfo, requested: readonly string[], segmentSeconds?: number): Rung[] {
  const rungs = planEncodedLadder(source, requested);
  if (segmentSeconds !== undefined && canCopyTop(source, rungs[0], segmentSeconds)) {
    const top = rungs[0]!;
    const measured = source.bitrateKbps ? source.bitrateKbps * 1000 - (source.hasAudio ? AUDIO_BITRATE : 0) : undefined;
    rungs[0] = { ...top, copy: { codecs: source.videoCodecString }, videoBitrate: measured && measured > 0 ? measured : top.videoBitrate };
  }
  return rungs;
}

function planEncodedLadder(source: SourceInfo, requested: readonly string[]): Rung[] {
  if (!source.hasVideo) return [];
  const srcW = source.width ?? 1280;
  const srcH = source.height ?? 720;
  const fps = source.fps ?? 30;
  const aspect = srcW / srcH;
  const wanted = LADDER.filter((r) => requested.includes(r.name) && r.height <= srcH);
  const rungs = wanted.map((r) => ({
    name: r.name,
    width: even(r.height * aspect),
    height: r.height,
    videoBitrate: r.videoBitrate,
    level: levelFor(r.height, fps),
  }));
  if (rungs.length > 0) return rungs;
  // Smaller than every requested rung: one rendition at the source's own size, at a bitrate scaled by area.
  const pixels = even(srcW) * even(srcH);
  const bitrate = Math.max(200_000, Math.round((LADDER[LADDER.length - 1]!.videoBitrate * pixels) / (426 * 240)));
  return [{ name: `${even(srcH)}p`, width: even(srcW), height: even(srcH), videoBitrate: bitrate, level: levelFor(srcH, fps) }];
}

/**
 * `standard`: 2 s segments, so a player holding back two of them (the player page) sits about 5 s
 * behind the encoder, and one holding back the spec's three target durations (Safari) about 7 s
 * (docs/realtime.md). `low`: 1 s segments carrying LL-HLS parts.
 */
export const segmentSeconds = (latencyMode: string) => (latencyMode === 'low' ? 1 : 2);
/**
 * LL-HLS parts in `low` mode: three per segment. ffmpeg cuts a part at the first frame at or past
 * each multiple of the part length, so a segment can start on a part only if its keyframe is such a
 * frame: a third of the segment when the rungs are encoded (keyframes are forced there too), a
 * third of the encoder's own keyframe interval when the top rung is its stream copied (e.g. 1.001 s
 * from a 29.97 fps encoder: a third of 1 s would drift off its keyframes within seconds).
 */
export function llPartSeconds(latencyMode: string, copiedKeyframeSeconds?: number): number | undefined {
  if (latencyMode !== 'low') return undefined;
  const interval = copiedKeyframeSeconds ?? segmentSeconds(latencyMode);
  // About ⅓ s each (a 0.5 s keyframe interval makes two parts of 0.25 s).
  const parts = Math.max(1, Math.round(interval * 3));
  return Math.floor((interval * 1e6) / parts) / 1e6;
}
