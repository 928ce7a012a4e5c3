import type { Config } from '@airwave/config';
import {
  checkTargetUrl,
  type CursorCodec,
  encryptSecret,
  generateWebhookSecret,
  keysetAfter,
  newestFirst,
  newId,
  NotFoundError,
  paginate,
  type PageRequest,
  ValidationError,
} from '@airwave/core';
import type { Db, Webhook, WebhookDelivery } from '@airwave/db';

export interface WebhookInput {
  url: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}

export function presentWebhook(w: Webhook, secret?: string) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    description: w.description,
    enabled: w.enabled,
    ...(secret ? { secret } : {}),
    createdAt: w.createdAt.toISOString(),
  };
}

export function presentDelivery(d: WebhookDelivery) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    eventType: d.eventType,
    attempt: d.attempt,
    outcome: d.outcome,
    statusCode: d.statusCode,
    durationMs: d.durationMs,
    error: d.error,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}

export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly cursors: CursorCodec,
  ) {}

  private async checkUrl(url: string): Promise<void> {
    const verdict = await checkTargetUrl(url, this.config.allowPrivateTargets);
    if (!verdict.ok) throw new ValidationError(`Webhook url refused: ${verdict.reason}`, [{ field: 'url', message: verdict.reason }]);
  }

  /** The signing secret is returned here only; afterwards it is kept encrypted for signing. */
  async create(projectId: string, input: WebhookInput) {
    await this.checkUrl(input.url);
    const secret = generateWebhookSecret();
    const webhook = await this.db.webhook.create({
      data: {
        id: newId('webhook'),
        projectId,
        url: input.url,
        events: [...new Set(input.events ?? [])],
        description: input.description ?? null,
        enabled: input.enabled ?? true,
        secretEncrypted: encryptSecret(secret, this.config.secretsKey, 's1'),
      },
    });
    return presentWebhook(webhook, secret);
  }

  async get(projectId: string, id: string): Promise<Webhook> {
    const w = await this.db.webhook.findFirst({ where: { id, projectId, deletedAt: null } });
    if (!w) throw new NotFoundError('Webhook');
    return w;
  }

  async update(projectId: string, id: string, input: Partial<WebhookInput>): Promise<Webhook> {
    const w = await this.get(projectId, id);
    if (input.url) await this.checkUrl(input.url);
    return this.db.webhook.update({
      where: { id: w.id },
      data: { ...input, ...(input.events ? { events: [...new Set(input.events)] } : {}) },
    });
  }

  list(projectId: string, q: PageRequest) {
    return paginate(
      this.cursors,
      `webhooks:${projectId}`,
      q,
      (take, after) => this.db.webhook.findMany({ where: { projectId, deletedAt: null, ...keysetAfter(after) }, orderBy: newestFirst, take }),
      (w) => presentWebhook(w),
    );
  }

  async delete(projectId: string, id: string): Promise<void> {
    const w = await this.get(projectId, id);
    await this.db.webhook.update({ where: { id: w.id }, data: { deletedAt: new Date(), enabled: false } });
  }

  async deliveries(projectId: string, id: string, q: PageRequest) {
    const w = await this.get(projectId, id);
    return paginate(
      this.cursors,
      `deliveries:${w.id}`,
      q,
      (take, after) => this.db.webhookDelivery.findMany({ where: { webhookId: w.id, ...keysetAfter(after) }, orderBy: newestFirst, take }),
      presentDelivery,
    );
  }
}
