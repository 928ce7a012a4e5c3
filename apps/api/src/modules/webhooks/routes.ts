import { EVENT_TYPES } from '@airwave/core';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, DateTime, errors, idParam, Nullable, Page, PageQuery } from '../../lib/schemas.js';
import { presentWebhook, type WebhookService } from './service.js';

const tags = ['webhooks'];
const WebhookId = idParam('wh', 'Webhook id');
const EventType = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));
const fields = {
  url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
  events: Type.Array(EventType, { maxItems: EVENT_TYPES.length, description: 'Event types to receive; empty or absent means all' }),
  description: Nullable(Type.String({ maxLength: 500 })),
  enabled: Type.Boolean(),
};
const Webhook = Type.Object(
  {
    id: WebhookId,
    url: Type.String(),
    events: Type.Array(EventType),
    description: Nullable(Type.String()),
    enabled: Type.Boolean(),
    secret: Type.Optional(Type.String({ description: 'Standard Webhooks signing secret (whsec_…); returned only at creation' })),
    createdAt: DateTime,
  },
  { $id: 'Webhook' },
);
const Delivery = Type.Object(
  {
    id: Type.String(),
    webhookId: WebhookId,
    eventId: Type.String({ description: 'Also the `webhook-id` header: the same on every retry' }),
    eventType: Type.String(),
    attempt: Type.Integer({ minimum: 1 }),
    outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
    statusCode: Nullable(Type.Integer()),
    durationMs: Type.Integer(),
    error: Nullable(Type.String()),
    nextAttemptAt: Nullable(DateTime),
    createdAt: DateTime,
  },
  { $id: 'WebhookDelivery' },
);
const Params = Type.Object({ id: WebhookId }, { additionalProperties: false });
const PageQ = Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }, { additionalProperties: false });
const ref = Type.Ref('Webhook');

export const webhookRoutes: FastifyPluginAsyncTypebox<{ service: WebhookService }> = async (app, { service }) => {
  app.addSchema(Webhook);
  app.addSchema(Delivery);

  app.post(
    '/webhooks',
    {
      config: { idempotent: true },
      schema: {
        tags,
        operationId: 'createWebhook',
        summary: 'Create a webhook endpoint',
        description: 'Deliveries are signed per Standard Webhooks; the secret is shown once, in this response.',
        body: Type.Object(
          { url: fields.url, events: Type.Optional(fields.events), description: Type.Optional(fields.description), enabled: Type.Optional(fields.enabled) },
          { additionalProperties: false },
        ),
        response: { 201: ref, ...errors(...commonErrors, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await service.create(req.projectId, req.body)),
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags,
        operationId: 'listWebhooks',
        summary: 'List webhook endpoints',
        description:
          "The project's webhook endpoints with the events each receives and whether it is enabled. Signing secrets are shown only when an endpoint is created.",
        querystring: PageQ,
        response: { 200: Page(ref), ...errors(...commonErrors) },
      },
    },
    async (req) => service.list(req.projectId, req.query),
  );

  app.get(
    '/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'getWebhook',
        summary: 'Get a webhook endpoint',
        description: 'One endpoint: URL, events, enabled. Its signing secret is not shown again.',
        params: Params,
        response: { 200: ref, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => presentWebhook(await service.get(req.projectId, req.params.id)),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'updateWebhook',
        summary: 'Update a webhook endpoint',
        description:
          'Changes the URL, the events or enables/disables the endpoint; deliveries already queued go to the endpoint as it is when they are attempted.',
        params: Params,
        body: Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 }),
        response: { 200: ref, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => presentWebhook(await service.update(req.projectId, req.params.id, req.body)),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook endpoint',
        description: 'Removes the endpoint; deliveries still queued for it are dropped.',
        params: Params,
        response: { 204: Type.Null(), ...errors(...commonErrors, 404) },
      },
    },
    async (req, reply) => {
      await service.delete(req.projectId, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        operationId: 'listWebhookDeliveries',
        summary: 'List delivery attempts, newest first',
        description:
          'Every delivery attempt to this endpoint, newest first: the event, attempt number, outcome, HTTP status, duration and error. Failed deliveries are retried with back-off (Standard Webhooks signatures on each).',
        params: Params,
        querystring: PageQ,
        response: { 200: Page(Type.Ref('WebhookDelivery')), ...errors(...commonErrors, 404) },
      },
    },
    async (req) => service.deliveries(req.projectId, req.params.id, req.query),
  );
};
