// One outbox event → one delivery job per matching, enabled webhook of the event's project.
import { jobs, webhookMaxAttempts } from '@airwave/jobs';
import type { WorkerContext } from '../context.js';

export async function webhookFanout(ctx: WorkerContext, data: { eventId: string }): Promise<{ deliveries: number }> {
  const event = await ctx.db.event.findUnique({ where: { id: data.eventId } });
  if (!event) return { deliveries: 0 };
  const hooks = await ctx.db.webhook.findMany({
    where: {
      projectId: event.projectId,
      enabled: true,
      deletedAt: null,
      // An empty filter means every event.
      OR: [{ events: { isEmpty: true } }, { events: { has: event.type } }],
    },
    select: { id: true },
  });
  const attempts = webhookMaxAttempts(ctx.config.webhooks.retryBaseMs);
  for (const hook of hooks) {
    await ctx.queues.add(jobs.webhookDeliver, { eventId: event.id, webhookId: hook.id }, { attempts });
  }
  await ctx.db.event.update({ where: { id: event.id }, data: { dispatchedAt: new Date() } });
  return { deliveries: hooks.length };
}
