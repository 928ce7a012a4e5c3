// The encoder did not come back within the stream's reconnect window: end the session.
import { liveStreamState } from '@airwave/core';
import { jobs } from '@airwave/jobs';
import { dispatchEvents, type WorkerContext } from '../context.js';

export async function reconnectWindowExpired(ctx: WorkerContext, data: { sessionId: string }) {
  const t = await ctx.db.$transaction((tx) => liveStreamState.expireReconnectWindow(tx, data.sessionId, { urls: ctx.urls }));
  if (!t) return { ended: false };
  await dispatchEvents(ctx, t.eventIds);
  await ctx.queues.add(jobs.finalize, { sessionId: data.sessionId });
  ctx.log.info({ sessionId: data.sessionId, liveStreamId: t.stream.id }, 'reconnect window expired; session ended');
  return { ended: true };
}
