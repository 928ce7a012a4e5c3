// An ffmpeg that reads a live session from the ingest node holding it (workers' ladders and relays,
// the WebRTC edge's feeds). This process pulls the session over RTMP by its session id with a
// short-lived token and feeds ffmpeg's stdin: no stream key exists outside the API and the encoder,
// and no token sits on a command line (/proc).
import { ingestPullToken } from '@airwave/jobs';
import { pullRtmpAsFlv } from '@airwave/rtmp';
import type { Logger } from 'pino';
import { resolveFfmpeg, runFfmpeg, type FfmpegRun } from './process.js';

/** Where a session is pulled from: `<ingest internal URL>/<session id>?token=…` (stays in this process). */
export function ingestPullUrl(internalToken: string, ingestAddress: string, sessionId: string): string {
  return `${ingestAddress}/${sessionId}?token=${ingestPullToken(internalToken, sessionId)}`;
}

export interface PullSettings {
  ffmpegPath?: string;
  internalToken: string;
}

/** The tracks a session carries, from the ingest's stats (the FLV header must announce only those). */
export function sessionTracks(stats: unknown): { audio: boolean; video: boolean } {
  const s = (stats ?? {}) as { audioCodec?: unknown; videoCodec?: unknown };
  return { audio: typeof s.audioCodec === 'string', video: typeof s.videoCodec === 'string' };
}

/**
 * Runs ffmpeg (args with `-f flv -i pipe:0`) on the live session: the pull ends ffmpeg's input when
 * the publisher leaves, and stops with ffmpeg.
 */
export function runFfmpegOnSession(
  settings: PullSettings,
  session: { id: string; ingestAddress: string; tracks: { audio: boolean; video: boolean } },
  args: string[],
  log: Logger,
  opts: { stdout?: 'progress' | 'media' } = {},
): FfmpegRun {
  const run = runFfmpeg(resolveFfmpeg(settings.ffmpegPath), args, { stdin: true, ...opts });
  const pull = pullRtmpAsFlv(ingestPullUrl(settings.internalToken, session.ingestAddress, session.id), run.stdin!, { tracks: session.tracks });
  void pull.done.then((why) => log.info({ why, bytes: pull.bytes() }, 'ingest pull ended'));
  void run.exited.then(() => pull.close());
  return run;
}
