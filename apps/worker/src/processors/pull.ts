// Pull ingest: a stream whose input is a URL (an IP camera over RTSP, another server over RTMP or SRT,
// an HLS playlist) is pulled by one worker and pushed into the ingest, so everything an encoder's
// publish gets applies: authorize, the state machine, the ladder, recording,
// health, simulcast (publishing with a short-lived key signed for the stream: workers never hold
// stream keys). It reconnects with back-off for as long as the stream is enabled and pulling,
// and says why in the stream's `input` when the source cannot be reached.
import { checkTargetUrl, decryptSecret, signPullPublishKey } from '@airwave/core';
import { runFfmpeg, resolveFfmpeg } from '@airwave/ffmpeg';
import { pushFlvToRtmp } from '@airwave/rtmp';
import type { Job } from 'bullmq';
import type { WorkerContext } from '../context.js';
import { Work, type Hold } from '../ownership.js';
import { HAND_BACK, runHeld } from '../takeover.js';
import { buildPullArgs } from '../pull/pull-args.js';

/** How often the run looks at the stream (disabled, deleted, a new URL). */
const CHECK_MS = 2_000;
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 20_000, 30_000];
/** A run that received this long resets the back-off: the next failure is retried at once. */
const STEADY_MS = 30_000;

type PullState = 'connecting' | 'receiving' | 'retrying';

async function setInput(ctx: WorkerContext, id: string, state: PullState | null, error: string | null) {
  await ctx.db.liveStream.updateMany({ where: { id }, data: { inputState: state, inputError: error } });
}

/** What the run needs of the stream, or why it must stop. */
async function wanted(ctx: WorkerContext, id: string) {
  const s = await ctx.db.liveStream.findUnique({ where: { id } });
  if (!s || s.deletedAt) return { stop: 'deleted' as const };
  if (s.status === 'disabled') return { stop: 'disabled' as const };
  if (s.inputType !== 'pull' || !s.inputUrlEncrypted) return { stop: 'no longer pulled' as const };
  return { stream: s, url: decryptSecret(s.inputUrlEncrypted, ctx.config.secretsKey) };
}

export async function pull(ctx: WorkerContext, job: Job<{ liveStreamId: string; at: number }>) {
  const { liveStreamId } = job.data;
  return runHeld(ctx, Work.pull(liveStreamId), `${job.id}#${job.attemptsMade}`, (hold) => pullWhileWanted(ctx, liveStreamId, hold));
}

async function pullWhileWanted(ctx: WorkerContext, id: string, hold: Hold) {
  const log = ctx.log.child({ liveStreamId: id, work: 'pull' });
  let lost = false;
  hold.onLost(() => (lost = true));
  for (let failures = 0; ; ) {
    const want = await wanted(ctx, id);
    if (!want.stream) {
      if (want.stop !== 'deleted') await setInput(ctx, id, null, null);
      return { ended: want.stop };
    }
    if (lost) return { ended: 'another worker pulls this stream now' };
    if (ctx.control.shuttingDown) return HAND_BACK;

    // The same rule as webhooks: private addresses only with ALLOW_PRIVATE_TARGETS, checked before
    // each connection (a name may resolve elsewhere since it was saved).
    const verdict = await checkTargetUrl(want.url, ctx.config.allowPrivateTargets);
    const started = Date.now();
    // Published with a short-lived key signed for this stream, not its stream key (workers do not hold those).
    const ingestUrl = `${ctx.config.pullIngestUrl}/${signPullPublishKey(ctx.config.internalToken, id)}`;
    const why = verdict.ok
      ? await pullOnce(ctx, id, want.url, ingestUrl, want.stream.inputUrlEncrypted!, () => lost, log)
      : `the source is not allowed: ${verdict.reason}`;
    if (why === undefined) continue; // stopped on purpose (disabled, new URL, shutting down): look again
    failures = Date.now() - started > STEADY_MS ? 1 : failures + 1;
    const delay = BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)]!;
    log.warn({ why, retryInMs: delay }, 'pull ended; retrying');
    await setInput(ctx, id, 'retrying', why);
    // Wait, but notice at once a stream that was disabled or deleted meanwhile.
    for (const until = Date.now() + delay; Date.now() < until && !lost && !ctx.control.shuttingDown; )
      await new Promise((r) => setTimeout(r, Math.min(500, until - Date.now())));
  }
}

/** One connection to the source; undefined when stopped on purpose, else why it ended. */
async function pullOnce(
  ctx: WorkerContext,
  id: string,
  url: string,
  ingestUrl: string,
  version: string,
  isLost: () => boolean,
  log: WorkerContext['log'],
): Promise<string | undefined> {
  await setInput(ctx, id, 'connecting', (await ctx.db.liveStream.findUnique({ where: { id }, select: { inputError: true } }))?.inputError ?? null);
  const run = runFfmpeg(resolveFfmpeg(ctx.config.ffmpegPath), buildPullArgs(url), { stdout: 'media' });
  const push = pushFlvToRtmp(ingestUrl, run.stdout!, { connectTimeoutMs: 30_000 });
  let pushFailure: string | undefined;
  void push.done.then(({ ok, why }) => {
    if (!ok) pushFailure = `the ingest refused the pulled stream: ${why}`;
    void run.stop();
  });
  let onPurpose = false;
  let receiving = false;
  const watch = setInterval(async () => {
    if (!receiving && push.publishing() && (run.progress().speed ?? 0) > 0) {
      receiving = true;
      log.info('pulling: the source is live');
      await setInput(ctx, id, 'receiving', null);
    }
    const now = await ctx.db.liveStream
      .findUnique({ where: { id }, select: { status: true, deletedAt: true, inputType: true, inputUrlEncrypted: true } })
      .catch(() => undefined);
    const stillWanted = now && !now.deletedAt && now.status !== 'disabled' && now.inputType === 'pull' && now.inputUrlEncrypted === version;
    if ((now !== undefined && !stillWanted) || isLost() || ctx.control.shuttingDown) {
      onPurpose = true;
      void run.stop();
    }
  }, CHECK_MS);
  const code = await run.exited;
  clearInterval(watch);
  push.close();
  if (onPurpose) return undefined;
  const tail = run.stderrTail().split('\n').filter(Boolean).at(-1);
  return pushFailure ?? (tail ? `the source failed: ${tail}` : `the source ended (ffmpeg exited ${code})`);
}
