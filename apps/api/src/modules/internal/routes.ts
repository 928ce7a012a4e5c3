// Internal endpoints for ingest nodes: Bearer INTERNAL_TOKEN, hidden from the public spec.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { checkInternalToken } from '../../plugins/app/auth.js';
import type { IngestHookService } from './service.js';

const SessionParams = Type.Object({ sessionId: Type.String({ pattern: '^lss_[0-9A-Za-z]{22}$' }) }, { additionalProperties: false });
const Stats = Type.Object(
  {
    videoCodec: Type.Optional(Type.String({ maxLength: 32 })),
    videoCodecString: Type.Optional(Type.String({ pattern: '^avc1\\.[0-9a-fA-F]{6}$' })),
    audioCodec: Type.Optional(Type.String({ maxLength: 32 })),
    width: Type.Optional(Type.Integer({ minimum: 0 })),
    height: Type.Optional(Type.Integer({ minimum: 0 })),
    fps: Type.Optional(Type.Number({ minimum: 0 })),
    bitrateKbps: Type.Optional(Type.Number({ minimum: 0 })),
    keyframeIntervalSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    bFrames: Type.Optional(Type.Boolean()),
    timelineEpochMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const internalRoutes: FastifyPluginAsyncTypebox<{ service: IngestHookService; internalToken: string }> = async (app, { service, internalToken }) => {
  app.addHook('onRequest', async (request) => checkInternalToken(request, internalToken));

  app.post(
    '/ingest/authorize',
    {
      schema: {
        hide: true,
        body: Type.Object(
          {
            streamKey: Type.String({ minLength: 1, maxLength: 256 }),
            ingestNodeId: Type.String({ minLength: 1, maxLength: 128 }),
            ingestAddress: Type.String({ pattern: '^rtmps?://', maxLength: 512 }),
            clientIp: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => service.authorize(req.body, req.log),
  );

  // SRT callers are checked before their relay starts, so a wrong key is dropped at once. Read-only:
  // the relay's own RTMP publish is what claims the stream.
  app.post(
    '/ingest/precheck',
    { schema: { hide: true, body: Type.Object({ streamKey: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }) } },
    async (req) => service.precheck(req.body.streamKey),
  );

  // A node that (re)starts holds no publisher: whatever was live on it before is gone, so those
  // sessions enter their reconnect window now rather than when their heartbeats go stale, and an
  // encoder that comes back (to this node or another) resumes its session.
  app.post(
    '/ingest/nodes/:nodeId/started',
    { schema: { hide: true, params: Type.Object({ nodeId: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }) } },
    async (req) => service.nodeStarted(req.params.nodeId, req.log),
  );

  app.post(
    '/ingest/sessions/:sessionId/started',
    { schema: { hide: true, params: SessionParams, body: Type.Object({ stats: Type.Optional(Stats) }, { additionalProperties: false }) } },
    async (req) => service.started(req.params.sessionId, req.body.stats),
  );

  app.post(
    '/ingest/sessions/:sessionId/heartbeat',
    { schema: { hide: true, params: SessionParams, body: Type.Object({ stats: Type.Optional(Stats) }, { additionalProperties: false }) } },
    async (req) => service.heartbeat(req.params.sessionId, req.body.stats),
  );

  app.post('/ingest/sessions/:sessionId/stopped', { schema: { hide: true, params: SessionParams } }, async (req) => service.stopped(req.params.sessionId));
};
