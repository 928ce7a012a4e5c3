// A worker's ffmpeg reads a live session from the ingest node that holds it. The worker itself pulls
// the session over RTMP by its session id with a short-lived token and feeds ffmpeg's stdin: no
// stream key exists outside the API and the encoder, and no token sits on a command line (/proc).
import { ingestPullToken } from '@airwave/jobs';
import { pullRtmpAsFlv } from '@airwave/rtmp';
import type { Logger } from 'pino';
import type { WorkerContext } from './context.js';
import { resolveFfmpeg, runFfmpeg, type FfmpegRun } from './transcode/ffmpeg-process.js';

/** Where a session is pulled from: `<ingest internal URL>/<session id>?token=…` (stays in this process). */
export function ingestPullUrl(internalToken: string, ingestAddress: string, sessionId: string): string {
  return `${ingestAddress}/${sessionId}?token=${ingestPullToken(internalToken, sessionId)}`;
}

/**
 * Runs ffmpeg (args with `-f flv -i pipe:0`) on the live session: the pull ends ffmpeg's input when
 * the publisher leaves, and stops with ffmpeg.
 */
export function runFfmpegOnSession(
  ctx: Pick<WorkerContext, 'config'>,
  session: { id: string; ingestAddress: string; stats: unknown },
  args: string[],
  log: Logger,
  opts: { stdout?: 'progress' | 'media' } = {},
): FfmpegRun {
  const run = runFfmpeg(resolveFfmpeg(ctx.config.ffmpegPath), args, { stdin: true, ...opts });
  const stats = (session.stats ?? {}) as { audioCodec?: unknown; videoCodec?: unknown };
  const tracks = { audio: typeof stats.audioCodec === 'string', video: typeof stats.videoCodec === 'string' };
  const pull = pullRtmpAsFlv(ingestPullUrl(ctx.config.internalToken, session.ingestAddress, session.id), run.stdin!, { tracks });
  void pull.done.then((why) => log.info({ why, bytes: pull.bytes() }, 'ingest pull ended'));
  void run.exited.then(() => pull.close());
  return run;
}
