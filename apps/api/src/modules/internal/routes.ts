// Internal endpoints for ingest nodes: Bearer INTERNAL_TOKEN, hidden from the public spec. The
// contract (requests and answers) is declared once in @airwave/jobs; the ingest's client uses it too.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AuthorizeAnswer,
  AuthorizeRequest,
  IngestNodeParams,
  IngestSessionParams,
  KeepAnswer,
  NodeStartedAnswer,
  PrecheckAnswer,
  PrecheckRequest,
  SessionStatsBody,
  StoppedAnswer,
} from '@airwave/jobs';
import { checkInternalToken } from '../../plugins/app/auth.js';
import type { IngestHookService } from './service.js';

export const internalRoutes: FastifyPluginAsyncTypebox<{ service: IngestHookService; internalToken: string }> = async (app, { service, internalToken }) => {
  app.addHook('onRequest', async (request) => checkInternalToken(request, internalToken));

  app.post(
    '/ingest/authorize',
    {
      schema: {
        hide: true,
        body: AuthorizeRequest,
        response: { 200: AuthorizeAnswer },
      },
    },
    async (req) => service.authorize(req.body, req.log),
  );

  // SRT callers are checked before their relay starts, so a wrong key is dropped at once. Read-only:
  // the relay's own RTMP publish is what claims the stream.
  app.post('/ingest/precheck', { schema: { hide: true, body: PrecheckRequest, response: { 200: PrecheckAnswer } } }, async (req) =>
    service.precheck(req.body.streamKey),
  );

  // A node that (re)starts holds no publisher: whatever was live on it before is gone, so those
  // sessions enter their reconnect window now rather than when their heartbeats go stale, and an
  // encoder that comes back (to this node or another) resumes its session.
  app.post('/ingest/nodes/:nodeId/started', { schema: { hide: true, params: IngestNodeParams, response: { 200: NodeStartedAnswer } } }, async (req) =>
    service.nodeStarted(req.params.nodeId, req.log),
  );

  app.post(
    '/ingest/sessions/:sessionId/started',
    { schema: { hide: true, params: IngestSessionParams, body: SessionStatsBody, response: { 200: KeepAnswer } } },
    async (req) => service.started(req.params.sessionId, req.body.stats),
  );

  app.post(
    '/ingest/sessions/:sessionId/heartbeat',
    { schema: { hide: true, params: IngestSessionParams, body: SessionStatsBody, response: { 200: KeepAnswer } } },
    async (req) => service.heartbeat(req.params.sessionId, req.body.stats),
  );

  app.post('/ingest/sessions/:sessionId/stopped', { schema: { hide: true, params: IngestSessionParams, response: { 200: StoppedAnswer } } }, async (req) =>
    service.stopped(req.params.sessionId),
  );
};
