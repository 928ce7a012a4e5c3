// The one ffmpeg per stream and edge that turns the live session into what WebRTC carries (pure;
// golden-tested): H.264 without B-frames, copied when the source has none, else encoded once with a
// keyframe every second; AAC becomes Opus. Both leave as RTP on loopback to this process.

export interface FeedPlan {
  video: boolean;
  audio: boolean;
  /** Re-encode the video (the source has B-frames, or we do not know that it has none). */
  reencode: boolean;
  fps?: number;
  /** Source video bitrate (bits/s), the re-encode's target; a 720p default otherwise. */
  videoBitrate?: number;
  videoPort: number;
  audioPort: number;
}

export const FEED_VIDEO_PT = 96;
export const FEED_AUDIO_PT = 111;
/** Room for SRTP and header extensions under a 1500-byte MTU. */
const RTP_PACKET_SIZE = 1200;

const rtpUrl = (port: number) => `rtp://127.0.0.1:${port}?pkt_size=${RTP_PACKET_SIZE}&rtcpport=${port}`;

export function buildFeedArgs(p: FeedPlan): string[] {
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    // Hand every frame on as it arrives: no input buffering, no reordering delay.
    '-fflags', '+nobuffer+genpts', '-flags', 'low_delay',
    '-f', 'flv', '-i', 'pipe:0',
  ];
  if (p.video) {
    args.push('-map', '0:v:0');
    if (p.reencode) {
      const fps = Math.round(p.fps ?? 30) || 30;
      const bitrate = Math.min(Math.max(p.videoBitrate ?? 2_500_000, 500_000), 8_000_000);
      args.push(
        '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
        // Constrained Baseline: no B-frames, and every browser decodes it.
        '-profile:v', 'baseline', '-pix_fmt', 'yuv420p',
        '-b:v', String(bitrate), '-maxrate', String(Math.round(bitrate * 1.2)), '-bufsize', String(bitrate),
        // A keyframe every second: a joining viewer waits at most that long for its first frame.
        '-g', String(fps), '-keyint_min', String(fps), '-sc_threshold', '0',
        '-x264-params', 'repeat-headers=1',
      );
    } else {
      // Copied: SPS/PPS in-band before every IDR (the browser learns them from the stream, not the SDP).
      args.push('-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb');
    }
    args.push('-f', 'rtp', '-payload_type', String(FEED_VIDEO_PT), rtpUrl(p.videoPort));
  }
  if (p.audio) {
    args.push(
      '-map', '0:a:0', '-c:a', 'libopus', '-b:a', '96000', '-ar', '48000', '-ac', '2', '-application', 'lowdelay',
      '-f', 'rtp', '-payload_type', String(FEED_AUDIO_PT), rtpUrl(p.audioPort),
    );
  }
  return args;
}
