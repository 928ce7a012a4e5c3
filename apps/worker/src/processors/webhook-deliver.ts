// Delivers one event to one endpoint, signed per Standard Webhooks. Every attempt is recorded; a
// failure throws so BullMQ retries it with the webhook back-off. The `webhook-id` is the event id on
// every retry, so receivers can de-duplicate.
import { checkTargetUrl, decryptSecret, guardedLookup, newId } from '@airwave/core';
import { webhookRetryDelay } from '@airwave/jobs';
import { UnrecoverableError, type Job } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { Agent, fetch } from 'undici';
import type { WorkerContext } from '../context.js';

interface Attempt {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

// One connection pool per policy; its sockets check the addresses they connect to (DNS rebinding).
const agents = new Map<boolean, Agent>();
const agentFor = (allowPrivate: boolean) => {
  let agent = agents.get(allowPrivate);
  if (!agent) agents.set(allowPrivate, (agent = new Agent({ connect: { lookup: guardedLookup(allowPrivate) } })));
  return agent;
};

async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, allowPrivate: boolean): Promise<Attempt> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher: agentFor(allowPrivate),
    });
    await res.body?.cancel().catch(() => {});
    const ok = res.status >= 200 && res.status < 300;
    return { statusCode: res.status, error: ok ? null : `HTTP ${res.status}`, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as Error & { cause?: unknown };
    const cause = e.cause as (Error & { code?: string }) | undefined;
    const reason =
      e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : cause?.code === 'ETARGETREFUSED' ? cause.message : (cause?.code ?? e.message);
    return { statusCode: null, error: reason, durationMs: Math.round(performance.now() - started) };
  }
}

export async function webhookDeliver(ctx: WorkerContext, job: Job<{ eventId: string; webhookId: string }>) {
  const { eventId, webhookId } = job.data;
  const [event, hook] = await Promise.all([ctx.db.event.findUnique({ where: { id: eventId } }), ctx.db.webhook.findUnique({ where: { id: webhookId } })]);
  if (!event || !hook || hook.deletedAt || !hook.enabled) return { skipped: true };

  const attempt = job.attemptsMade + 1;
  const maxAttempts = job.opts.attempts ?? 1;
  const verdict = await checkTargetUrl(hook.url, ctx.config.allowPrivateTargets);
  const body = JSON.stringify(event.payload);
  let result: Attempt;
  if (!verdict.ok) {
    result = { statusCode: null, error: `refused: ${verdict.reason}`, durationMs: 0 };
  } else {
    const timestamp = new Date();
    const signature = new Webhook(decryptSecret(hook.secretEncrypted, ctx.config.secretsKey)).sign(eventId, timestamp, body);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Airwave-Webhooks/1.0',
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    };
    result = await post(hook.url, headers, body, ctx.config.webhooks.timeoutMs, ctx.config.allowPrivateTargets);
  }

  const ok = result.error === null;
  const retrying = !ok && attempt < maxAttempts;
  const nextAttemptAt = retrying ? new Date(Date.now() + webhookRetryDelay(attempt, ctx.config.webhooks.retryBaseMs)) : null;
  const row = {
    eventType: event.type,
    outcome: ok ? ('succeeded' as const) : ('failed' as const),
    statusCode: result.statusCode,
    durationMs: result.durationMs,
    error: result.error,
    nextAttemptAt,
  };
  // Upsert: a stalled job re-run for the same attempt overwrites instead of duplicating the row.
  await ctx.db.webhookDelivery.upsert({
    where: { eventId_webhookId_attempt: { eventId, webhookId, attempt } },
    create: { id: newId('delivery'), webhookId, eventId, attempt, ...row },
    update: row,
  });
  ctx.log.info({ eventId, webhookId, attempt, statusCode: result.statusCode, error: result.error }, ok ? 'webhook delivered' : 'webhook attempt failed');
  if (!verdict.ok) throw new UnrecoverableError(result.error ?? 'refused');
  if (!ok) throw new Error(result.error ?? 'delivery failed');
  return { statusCode: result.statusCode };
}
