// The ffmpeg command lines that are not the live ladder (apps/worker/src/transcode/ffmpeg-args.ts),
// the edge's WebRTC feed (apps/edge/src/feed-args.ts), the pull (apps/worker/src/pull/pull-args.ts) or
// the storyboard (apps/worker/src/transcode/storyboard.ts): pure functions, each with an exact-argv
// golden test (packages/ffmpeg/test/commands.test.ts). None carries a key: stream keys and
// destination keys travel over pipes, never on a command line (`ps` shows command lines).
// `runFfmpeg` (process.ts) spawns, supervises and redacts every one of them.

/** What every one-shot file job starts with: quiet, no stdin, overwrite the temporary output. */
const ONE_SHOT = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
/** A local playlist naming http(s) segments (presigned GETs). */
export const READ_HTTP_PLAYLIST = ['-protocol_whitelist', 'file,http,https,tcp,tls,crypto'];
/** FLV on stdout for the RTMP publisher of this process, without a duration it cannot know. */
const FLV_TO_STDOUT = ['-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1'];

/** Simulcast relay: the session's FLV in on stdin, the same FLV out on stdout (the worker pushes it). */
export function simulcastRelayArgs(): string[] {
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:2', '-stats_period', '1', '-f', 'flv', '-i', 'pipe:0', '-map', '0', '-c', 'copy', ...FLV_TO_STDOUT];
}

/** SRT bridge: the caller's MPEG-TS on stdin → FLV on stdout, published into this node's RTMP server. */
export function srtBridgeArgs(): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-fflags', '+genpts', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v?', '-map', '0:a?', '-c', 'copy', ...FLV_TO_STDOUT];
}

export interface WhipBridge {
  /** Loopback ports the RTP is forwarded to (ffmpeg binds each and the next, for RTCP). */
  videoPort: number;
  audioPort?: number;
  videoPayloadType: number;
  audioPayloadType: number;
}

/** The SDP ffmpeg reads on stdin to receive the WHIP publisher's RTP (H.264, and Opus when sent). */
export function whipBridgeSdp(b: WhipBridge): string {
  return [
    'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=WHIP', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=video ${b.videoPort} RTP/AVP ${b.videoPayloadType}`, `a=rtpmap:${b.videoPayloadType} H264/90000`, `a=fmtp:${b.videoPayloadType} packetization-mode=1`,
    ...(b.audioPort ? [`m=audio ${b.audioPort} RTP/AVP ${b.audioPayloadType}`, `a=rtpmap:${b.audioPayloadType} opus/48000/2`] : []),
    '',
  ].join('\r\n');
}

/** WHIP bridge: RTP described by the SDP on stdin → FLV on stdout (H.264 copied, Opus → AAC). */
export function whipBridgeArgs(audio: boolean): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'pipe,udp,rtp', '-fflags', '+genpts',
    '-reorder_queue_size', '64', '-f', 'sdp', '-i', 'pipe:0',
    '-map', '0:v:0', ...(audio ? ['-map', '0:a:0'] : []),
    '-c:v', 'copy', ...(audio ? ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'] : []),
    ...FLV_TO_STDOUT,
  ];
}

/** A recording's poster: one frame of the top rendition, 360 px high, `seekSeconds` in when given. */
export function vodThumbnailArgs(playlist: string, output: string, seekSeconds?: number): string[] {
  return [...ONE_SHOT, ...(seekSeconds !== undefined ? ['-ss', String(seekSeconds)] : []), ...READ_HTTP_PLAYLIST, '-i', playlist, '-frames:v', '1', '-vf', 'scale=-2:360', output];
}

/** A recording's MP4: the top rendition remuxed (no encode), faststart so it plays while downloading. */
export function mp4RemuxArgs(playlist: string, output: string): string[] {
  return [...ONE_SHOT, ...READ_HTTP_PLAYLIST, '-i', playlist, '-map', '0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', output];
}

/** A one-shot file job (`storyboardArgs` and the like) with the common prefix. */
export const oneShot = (args: string[]) => [...ONE_SHOT, ...args];
