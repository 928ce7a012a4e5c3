// Per-publisher health, measured from the packets NMS hands us: codec, resolution, fps, bitrate and
// keyframe interval (what Mux and IVS show as "stream health").
import type { SessionStats } from './api-client.js';

/** FLV codec ids (NMS reports the numbers from the RTMP metadata / tags). */
const VIDEO_CODECS: Record<number, string> = {
  7: 'h264',
  12: 'hevc',
  2: 'h263',
  4: 'vp6',
  // Enhanced RTMP announces its codecs by FourCC.
  0x68766331: 'hevc',
  0x61763031: 'av1',
  0x76703039: 'vp9',
};
const AUDIO_CODECS: Record<number, string> = { 10: 'aac', 2: 'mp3', 11: 'speex', 13: 'opus' };

/** NMS AVPacket.flags: 0 audio header, 1 audio, 2 video header, 3 keyframe, 4 inter frame, 5 metadata. */
export interface PacketLike {
  codec_id: number;
  codec_type: number;
  flags: number;
  dts: number;
  /** dts + the composition offset: differs from dts only where frames are reordered (B-frames). */
  pts?: number;
  data?: Buffer;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

export interface PublisherLike {
  inBytes: number;
  videoCodec: number;
  videoWidth: number;
  videoHeight: number;
  videoFramerate: number;
  audioCodec: number;
}

export type IngestProtocol = 'rtmp' | 'srt' | 'whip';

export class PublishStats {
  constructor(readonly protocol: IngestProtocol = 'rtmp') {}

  private videoCodecId = 0;
  private audioCodecId = 0;
  private lastKeyframeDts: number | undefined;
  private keyframeGapMs: number | undefined;
  private videoFrames = 0;
  private windowStart = Date.now();
  private windowBytes = 0;
  private lastFps: number | undefined;
  private lastBitrateKbps: number | undefined;
  private codecString: string | undefined;
  private keyframes = 0;
  /** Whether the encoder reorders frames (B-frames): WebRTC viewers then get a re-encode without. */
  private bFrames = false;
  private framesChecked = 0;
  sawVideo = false;
  sawAudio = false;

  private firstKeyframeAt: number | undefined;

  /**
   * Whether the keyframe interval is known well enough to choose the ladder: two keyframes seen, or
   * the first one long enough ago that the interval is surely longer than `segmentSeconds` (then the
   * source cannot be the top rendition anyway, so there is nothing to wait for).
   */
  keyframeIntervalSettled(segmentSeconds: number, now = Date.now()): boolean {
    if (this.keyframes >= 2) return true;
    return this.firstKeyframeAt !== undefined && now - this.firstKeyframeAt > segmentSeconds * 1000 + 100;
  }

  get sawKeyframe(): boolean {
    return this.keyframes >= 1;
  }

  /**
   * The ingest wall time of content time 0: the smallest (arrival − dts) over video packets, i.e.
   * the arrival of the frame that queued least on the way. Players get it as PROGRAM-DATE-TIME.
   */
  private epochMs: number | undefined;

  onPacket(p: PacketLike): void {
    if (p.codec_type === 9) {
      const epoch = Date.now() - p.dts;
      if (this.epochMs === undefined || epoch < this.epochMs) this.epochMs = epoch;
      this.sawVideo = true;
      this.videoCodecId = p.codec_id || this.videoCodecId;
      // H.264 sequence header: FLV tag body (5 bytes) then AVCDecoderConfigurationRecord.
      if (p.flags === 2 && p.codec_id === 7 && p.data && p.data.length >= 9 && p.data[5] === 1) {
        this.codecString = `avc1.${hex(p.data[6]!)}${hex(p.data[7]!)}${hex(p.data[8]!)}`;
      }
      if (p.flags === 3) {
        this.keyframes++;
        this.firstKeyframeAt ??= Date.now();
        if (this.lastKeyframeDts !== undefined && p.dts > this.lastKeyframeDts) this.keyframeGapMs = p.dts - this.lastKeyframeDts;
        this.lastKeyframeDts = p.dts;
      }
      if (p.flags === 3 || p.flags === 4) {
        this.videoFrames++;
        this.framesChecked++;
        if (p.pts !== undefined && p.pts !== p.dts) this.bFrames = true;
      }
    } else if (p.codec_type === 8) {
      this.sawAudio = true;
      this.audioCodecId = p.codec_id || this.audioCodecId;
    }
  }

  /** Stats since the last snapshot (bitrate and fps are rates over that window). */
  snapshot(pub: PublisherLike): SessionStats {
    const now = Date.now();
    const seconds = (now - this.windowStart) / 1000;
    if (seconds >= 1) {
      this.lastBitrateKbps = Math.round(((pub.inBytes - this.windowBytes) * 8) / seconds / 1000);
      this.lastFps = Math.round((this.videoFrames / seconds) * 100) / 100;
      this.windowStart = now;
      this.windowBytes = pub.inBytes;
      this.videoFrames = 0;
    }
    const video = VIDEO_CODECS[this.videoCodecId || pub.videoCodec];
    const audio = AUDIO_CODECS[this.audioCodecId || pub.audioCodec];
    const stats: SessionStats = {};
    if (this.sawVideo) {
      stats.videoCodec = video ?? `flv-${this.videoCodecId || pub.videoCodec}`;
      if (this.codecString) stats.videoCodecString = this.codecString;
      if (pub.videoWidth) stats.width = pub.videoWidth;
      if (pub.videoHeight) stats.height = pub.videoHeight;
      // What the encoder declares (onMetaData) is exact; a count over a few seconds is only close.
      const fps = pub.videoFramerate || this.lastFps;
      if (fps) stats.fps = fps;
      if (this.keyframeGapMs !== undefined) stats.keyframeIntervalSeconds = this.keyframeGapMs / 1000;
      // Known once a few frames went by (a reordering encoder shows it within its first GOP).
      if (this.bFrames || this.framesChecked >= 30) stats.bFrames = this.bFrames;
    }
    if (this.sawAudio) stats.audioCodec = audio ?? `flv-${this.audioCodecId || pub.audioCodec}`;
    if (this.lastBitrateKbps !== undefined) stats.bitrateKbps = this.lastBitrateKbps;
    if (this.epochMs !== undefined) stats.timelineEpochMs = Math.round(this.epochMs);
    stats.protocol = this.protocol;
    return stats;
  }
}
