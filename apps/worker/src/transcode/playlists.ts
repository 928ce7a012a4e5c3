// The playlists players read. The media playlist is ours, not ffmpeg's: it survives ffmpeg restarts
// and worker take-overs (loaded back from storage), continuing the sequence with a discontinuity.
import { initSegmentFor, targetDurationFor, withFinalNewline } from '@airwave/core';
import HLS from 'hls-parser';
import { codecsFor, AUDIO_BITRATE, type Rung } from './ladder.js';
import { AUDIO_ONLY } from './ffmpeg-args.js';

const { MasterPlaylist, MediaPlaylist, Segment, Variant, PartialSegment, MediaInitializationSection } = HLS.types;

export interface PartEntry {
  uri: string;
  duration: number;
  independent: boolean;
}

/** LL-HLS settings of a live playlist: parts of about `partSeconds`, each never longer than `partTarget`. */
export interface LowLatency {
  partTarget: number;
}

/** Complete segments that keep listing their parts: with the one being written, within three target durations of the end (RFC 8216bis §4.4.4.9). */
const SEGMENTS_WITH_PARTS = 2;

export interface SegmentEntry {
  uri: string;
  duration: number;
  discontinuity: boolean;
  /** When the segment's first frame reached the ingest (EXT-X-PROGRAM-DATE-TIME). */
  programDateTime?: Date;
  /** LL-HLS: the parts the segment was published as, while it is near the live edge. */
  parts?: PartEntry[];
}

export class LivePlaylist {
  private segments: SegmentEntry[] = [];
  private mediaSequence = 0;
  private discontinuitySequence = 0;
  private nextIsDiscontinuity = false;
  /** LL-HLS: the parts of the segment being written, and where the next part will be. */
  private open: PartEntry[] = [];
  private hint: string | undefined;

  constructor(
    private readonly targetSeconds: number,
    private readonly windowSize: number,
    private readonly lowLatency?: LowLatency,
  ) {}

  /** LL-HLS: a part of the segment being written is out; `next` is where the following part will appear. */
  appendPart(part: PartEntry, next: string): void {
    this.open.push(part);
    this.hint = next;
  }

  /** The parts of the segment being written (LL-HLS). */
  get openParts(): PartEntry[] {
    return this.open;
  }

  /** Continues a playlist a previous run published: the next segment starts a discontinuity. */
  resumeFrom(text: string | undefined): void {
    if (!text) return;
    const parsed = HLS.parse(text);
    if (parsed.isMasterPlaylist) return;
    this.mediaSequence = parsed.mediaSequenceBase ?? 0;
    this.discontinuitySequence = parsed.discontinuitySequenceBase ?? 0;
    this.segments = parsed.segments
      .filter((s) => s.uri)
      .map((s) => ({ uri: s.uri, duration: s.duration, discontinuity: Boolean(s.discontinuity), programDateTime: s.programDateTime }));
    this.nextIsDiscontinuity = this.segments.length > 0;
  }

  /** Adds a segment; answers whether it starts a discontinuity (a new run of the session). */
  append(uri: string, duration: number, programDateTime?: Date): boolean {
    const discontinuity = this.nextIsDiscontinuity;
    this.segments.push({ uri, duration, discontinuity, programDateTime, parts: this.open.length ? this.open : undefined });
    this.open = [];
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
    const ll = this.lowLatency && !opts.endlist ? this.lowLatency : undefined;
    const map = (uri: string) => {
      const init = initSegmentFor(uri);
      return init ? new MediaInitializationSection({ uri: init }) : undefined;
    };
    const segments = this.segments.map(
      (s, i) =>
        new Segment({
          uri: s.uri,
          duration: s.duration,
          discontinuity: s.discontinuity,
          programDateTime: s.programDateTime,
          mediaSequenceNumber: this.mediaSequence + i,
          discontinuitySequence: this.discontinuitySequence,
          map: map(s.uri),
          parts: ll && i >= this.segments.length - SEGMENTS_WITH_PARTS ? (s.parts ?? []).map((p) => new PartialSegment({ ...p, hint: false })) : [],
        }),
    );
    if (ll && (this.open.length > 0 || this.hint)) {
      // The segment being written: its parts so far, then where the next part will appear.
      const parts = this.open.map((p) => new PartialSegment({ ...p, hint: false }));
      if (this.hint) parts.push(new PartialSegment({ uri: this.hint, hint: true }));
      const uri = this.open[0]?.uri ?? this.hint!;
      segments.push(
        new Segment({
          discontinuity: this.nextIsDiscontinuity,
          mediaSequenceNumber: this.mediaSequence + this.segments.length,
          discontinuitySequence: this.discontinuitySequence,
          map: map(uri),
          parts,
        } as ConstructorParameters<typeof Segment>[0]),
      );
    }
    const playlist = new MediaPlaylist({
      // 9: EXT-X-PART, EXT-X-PRELOAD-HINT, EXT-X-SERVER-CONTROL; 6: EXT-X-MAP in a live playlist.
      version: ll ? 9 : this.segments.some((s) => initSegmentFor(s.uri)) ? 6 : 3,
      // Rounded, not ceiled: a 29.97 fps encoder's 1.001 s segments keep TARGETDURATION:1, so
      // players sit one target (not two) behind the live edge.
      targetDuration: targetDurationFor(
        this.segments.map((s) => s.duration),
        this.targetSeconds,
      ),
      endlist: opts.endlist ?? false,
      mediaSequenceBase: this.mediaSequence,
      discontinuitySequenceBase: this.discontinuitySequence,
      independentSegments: true,
      segments,
      ...(ll
        ? {
            partTargetDuration: ll.partTarget,
            // RFC 8216bis: PART-HOLD-BACK at least three part targets; blocking reloads at the edge.
            lowLatencyCompatibility: { canBlockReload: true, partHoldBack: Math.round(ll.partTarget * 3 * 1000) / 1000 } as never,
          }
        : {}),
    });
    return withFinalNewline(HLS.stringify(playlist));
  }
}

/** The same media playlist, ended (EXT-X-ENDLIST); undefined when it already was, or is not one. */
export function sealedPlaylist(text: string): string | undefined {
  const parsed = HLS.parse(text);
  if (parsed.isMasterPlaylist || parsed.endlist) return undefined;
  parsed.endlist = true;
  // LL-HLS: a segment still being written (parts only) and the preload hint go; nothing follows.
  parsed.segments = parsed.segments.filter((s) => s.uri);
  for (const s of parsed.segments) s.parts = [];
  parsed.lowLatencyCompatibility = undefined;
  parsed.partTargetDuration = undefined;
  return withFinalNewline(HLS.stringify(parsed));
}

/** Segment URIs and durations from one of ffmpeg's own media playlists. */
export function readSegments(text: string): { uri: string; duration: number }[] {
  // ffmpeg writes TARGETDURATION:0 for parts shorter than half a second (LL-HLS runs): not a player's playlist.
  const parsed = HLS.parse(text.replace(/^#EXT-X-TARGETDURATION:0$/m, '#EXT-X-TARGETDURATION:1'));
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
