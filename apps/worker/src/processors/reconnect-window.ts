// The encoder did not come back within the stream's reconnect window: end the session (the
// transition records the recording's finalize).
import { liveStreamState } from '@airwave/core';
import type { WorkerContext } from '../context.js';

export async function reconnectWindowExpired(ctx: WorkerContext, data: { sessionId: string; disconnectedAt: number }) {
  const t = await ctx.db.$transaction((tx) => liveStreamState.expireReconnectWindow(tx, data.sessionId, data.disconnectedAt, { urls: ctx.urls }));
  if (!t) return { ended: false };
  ctx.log.info({ sessionId: data.sessionId, liveStreamId: t.stream.id }, 'reconnect window expired; session ended');
  return { ended: true };
}
