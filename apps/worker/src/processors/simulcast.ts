// One simulcast relay: the live session, pulled from its ingest, pushed with `-c copy` to one
// destination (YouTube, Twitch, any RTMP/RTMPS). Its own ffmpeg and its own pull, so a destination
// that refuses or drops never touches the HLS ladder or the other destinations.
import { decryptSecret, setSimulcastStatus } from '@airwave/core';
import type { SimulcastStatus } from '@airwave/db';
import type { RelayPayload } from '@airwave/jobs';
import type { Job } from 'bullmq';
import type { WorkerContext } from '../context.js';
import { pushFlvToRtmp } from '@airwave/rtmp';
import { runFfmpegOnSession, sessionTracks, simulcastRelayArgs } from '@airwave/ffmpeg';
import { Work, type Hold } from '../ownership.js';
import { HAND_BACK, runHeld } from '../takeover.js';

const LIVE = new Set(['connected', 'active']);

async function setStatus(ctx: WorkerContext, targetId: string, status: SimulcastStatus, error: string | null = null) {
  await ctx.db.$transaction((tx) => setSimulcastStatus(tx, targetId, status, error));
}

export function destinationUrl(url: string, streamKey: string | null): string {
  return streamKey ? `${url.replace(/\/+$/, '')}/${streamKey}` : url;
}

export async function simulcast(ctx: WorkerContext, job: Job<RelayPayload>) {
  const { sessionId, targetId } = job.data;
  // One relay per destination, whichever job asks (a take-over, a stalled-job retry).
  return runHeld(ctx, Work.relay(sessionId, targetId), `${job.id}#${job.attemptsMade}`, (hold) => relayOnce(ctx, job, hold));
}

async function relayOnce(ctx: WorkerContext, job: Job<RelayPayload>, hold: Hold) {
  const { sessionId, run, targetId } = job.data;
  const log = ctx.log.child({ sessionId, targetId });
  const [session, target] = await Promise.all([
    ctx.db.liveStreamSession.findUnique({ where: { id: sessionId }, include: { liveStream: true } }),
    ctx.db.simulcastTarget.findUnique({ where: { id: targetId } }),
  ]);
  if (!target) return { skipped: 'target deleted' };
  if (!session || !LIVE.has(session.status) || session.reconnects !== run) {
    await setStatus(ctx, targetId, 'idle');
    return { skipped: 'session not live' };
  }

  await setStatus(ctx, targetId, 'starting', target.lastError);
  const key = target.streamKeyEncrypted ? decryptSecret(target.streamKeyEncrypted, ctx.config.secretsKey) : null;
  // ffmpeg only remuxes (stdin → stdout); the worker pulls the session and pushes to the destination
  // itself, so neither the pull token nor the destination's key is ever on a command line.
  const relay = runFfmpegOnSession(ctx.config, { ...session, tracks: sessionTracks(session.stats) }, simulcastRelayArgs(), log, { stdout: 'media' });
  const push = pushFlvToRtmp(destinationUrl(target.url, key), relay.stdout!);
  let pushFailure: string | undefined;
  void push.done.then(({ ok, why }) => {
    if (!ok) pushFailure = why;
    void relay.stop(); // a destination that refused or dropped us ends this run (it is retried)
  });
  // Broadcasting once the destination accepted the publish and media flows to it.
  const watch = setInterval(() => {
    if (push.publishing() && (relay.progress().speed ?? 0) > 0) {
      clearInterval(watch);
      void setStatus(ctx, targetId, 'broadcasting');
    }
  }, 500);
  const unsubscribe = ctx.control.onStop(sessionId, () => void relay.stop());
  let lost = false;
  hold.onLost(() => {
    lost = true;
    void relay.stop();
  });
  const code = await relay.exited;
  push.close();
  clearInterval(watch);
  unsubscribe();
  if (lost) return { ended: 'another worker runs this relay now' }; // its status is theirs to set

  const now = await ctx.db.liveStreamSession.findUnique({ where: { id: sessionId }, select: { status: true, reconnects: true } });
  const stillWanted = (await ctx.db.simulcastTarget.count({ where: { id: targetId } })) === 1;
  if (!stillWanted) return { ended: 'target deleted' };
  if (ctx.control.shuttingDown) return HAND_BACK;
  if ((relay.stoppedByUs() && !pushFailure) || !now || !LIVE.has(now.status) || now.reconnects !== run) {
    await setStatus(ctx, targetId, 'idle');
    return { ended: true };
  }
  // The destination refused or dropped us while the stream is still live: errored, and retried.
  const reason = pushFailure ?? relay.stderrTail().split('\n').filter(Boolean).slice(-1)[0] ?? `ffmpeg exited with code ${code}`;
  await setStatus(ctx, targetId, 'errored', reason.slice(0, 500));
  log.warn({ reason, attempt: job.attemptsMade + 1 }, 'simulcast destination failed; retrying');
  throw new Error(reason);
}
