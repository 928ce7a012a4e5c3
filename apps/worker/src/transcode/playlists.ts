// The playlists players read. The media playlist is ours, not ffmpeg's: it survives ffmpeg restarts
// and worker take-overs (loaded back from storage), continuing the sequence with a discontinuity.
import { targetDurationFor, withFinalNewline } from '@airwave/core';
import HLS from 'hls-parser';
import { codecsFor, AUDIO_BITRATE, type Rung } from './ladder.js';
import { AUDIO_ONLY } from './ffmpeg-args.js';

const { MasterPlaylist, MediaPlaylist, Segment, Variant } = HLS.types;

export interface SegmentEntry {
  uri: string;
  duration: number;
  discontinuity: boolean;
  /** When the segment's first frame reached the ingest (EXT-X-PROGRAM-DATE-TIME). */
  programDateTime?: Date;
}

export class LivePlaylist {
  private segments: SegmentEntry[] = [];
  private mediaSequence = 0;
  private discontinuitySequence = 0;
  private nextIsDiscontinuity = false;

  constructor(
    private readonly targetSeconds: number,
    private readonly windowSize: number,
  ) {}

  /** Continues a playlist a previous run published: the next segment starts a discontinuity. */
  resumeFrom(text: string | undefined): void {
    if (!text) return;
    const parsed = HLS.parse(text);
    if (parsed.isMasterPlaylist) return;
    this.mediaSequence = parsed.mediaSequenceBase ?? 0;
    this.discontinuitySequence = parsed.discontinuitySequenceBase ?? 0;
    this.segments = parsed.segments.map((s) => ({ uri: s.uri, duration: s.duration, discontinuity: Boolean(s.discontinuity), programDateTime: s.programDateTime }));
    this.nextIsDiscontinuity = this.segments.length > 0;
  }

  /** Adds a segment; answers whether it starts a discontinuity (a new run of the session). */
  append(uri: string, duration: number, programDateTime?: Date): boolean {
    const discontinuity = this.nextIsDiscontinuity;
    this.segments.push({ uri, duration, discontinuity, programDateTime });
    this.nextIsDiscontinuity = false;
    while (this.segments.length > this.windowSize) {
      const dropped = this.segments.shift()!;
      this.mediaSequence++;
      // EXT-X-DISCONTINUITY-SEQUENCE counts the discontinuities that left the window.
      if (dropped.discontinuity) this.discontinuitySequence++;
    }
    return discontinuity;
  }

  get length(): number {
    return this.segments.length;
  }

  /** `endlist`: the broadcast is over (RFC 8216 §6.2.1): players play to the end and stop. */
  render(opts: { endlist?: boolean } = {}): string {
    const playlist = new MediaPlaylist({
      version: 3,
      // Rounded, not ceiled: a 29.97 fps encoder's 1.001 s segments keep TARGETDURATION:1, so
      // players sit one target (not two) behind the live edge.
      targetDuration: targetDurationFor(this.segments.map((s) => s.duration), this.targetSeconds),
      endlist: opts.endlist ?? false,
      mediaSequenceBase: this.mediaSequence,
      discontinuitySequenceBase: this.discontinuitySequence,
      independentSegments: true,
      segments: this.segments.map(
        (s, i) =>
          new Segment({
            uri: s.uri,
            duration: s.duration,
            discontinuity: s.discontinuity,
            programDateTime: s.programDateTime,
            mediaSequenceNumber: this.mediaSequence + i,
            discontinuitySequence: this.discontinuitySequence,
          }),
      ),
    });
    return withFinalNewline(HLS.stringify(playlist));
  }
}

/** The same media playlist, ended (EXT-X-ENDLIST); undefined when it already was, or is not one. */
export function sealedPlaylist(text: string): string | undefined {
  const parsed = HLS.parse(text);
  if (parsed.isMasterPlaylist || parsed.endlist) return undefined;
  parsed.endlist = true;
  return withFinalNewline(HLS.stringify(parsed));
}

/** Segment URIs and durations from one of ffmpeg's own media playlists. */
export function readSegments(text: string): { uri: string; duration: number }[] {
  const parsed = HLS.parse(text);
  return parsed.isMasterPlaylist ? [] : parsed.segments.map((s) => ({ uri: s.uri, duration: s.duration }));
}

/** The master playlist, highest rendition first, with everything a player needs to choose. */
export function renderMaster(rungs: Rung[], hasAudio: boolean, fps: number): string {
  const variants =
    rungs.length > 0
      ? rungs.map((r) => {
          const average = r.videoBitrate + (hasAudio ? AUDIO_BITRATE : 0);
          return new Variant({
            uri: `${r.name}/index.m3u8`,
            bandwidth: Math.round(r.videoBitrate * 1.1) + (hasAudio ? AUDIO_BITRATE : 0),
            averageBandwidth: average,
            resolution: { width: r.width, height: r.height },
            frameRate: Math.round(fps * 1000) / 1000,
            codecs: codecsFor(r, hasAudio),
          });
        })
      : [new Variant({ uri: `${AUDIO_ONLY}/index.m3u8`, bandwidth: AUDIO_BITRATE, averageBandwidth: AUDIO_BITRATE, codecs: codecsFor(undefined, true) })];
  return withFinalNewline(HLS.stringify(new MasterPlaylist({ version: 3, independentSegments: true, variants })));
}
