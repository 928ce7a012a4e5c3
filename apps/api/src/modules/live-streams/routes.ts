import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, errors } from '../../lib/schemas.js';
import {
  CreateLiveStreamBody,
  ListLiveStreamsQuery,
  LiveStreamId,
  LiveStreamPage,
  SessionPage,
  SessionsQuery,
  StreamParams,
  UpdateLiveStreamBody,
  ViewerSeries,
  ViewersQuery,
} from './schemas.js';
import type { LiveStreamService } from './service.js';

const tags = ['live-streams'];
const stream = Type.Ref('LiveStream');

export const liveStreamRoutes: FastifyPluginAsyncTypebox<{ service: LiveStreamService }> = async (app, { service }) => {
  app.post(
    '/live-streams',
    {
      config: { idempotent: true },
      schema: {
        tags,
        operationId: 'createLiveStream',
        summary: 'Create a live stream',
        description: 'Answers with the stream key and RTMP URL to give to an encoder. Honours `Idempotency-Key`.',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
        body: CreateLiveStreamBody,
        response: { 201: stream, ...errors(...commonErrors, 413, 422) },
      },
    },
    // A new stream has no recordings and no viewers yet: nothing more to read.
    async (req, reply) => reply.code(201).send(await service.present(await service.create(req.projectId, req.body), [], 0)),
  );

  app.get(
    '/live-streams',
    {
      schema: {
        tags,
        operationId: 'listLiveStreams',
        summary: 'List live streams, newest first',
        description:
          'Pages of live streams, newest first (`limit` 1–100, then pass `nextCursor` as `cursor`); `status` filters by status. Stream keys are included, as in Get.',
        querystring: ListLiveStreamsQuery,
        response: { 200: LiveStreamPage, ...errors(...commonErrors) },
      },
    },
    async (req) => service.list(req.projectId, req.query),
  );

  app.get(
    '/live-streams/:id',
    {
      schema: {
        tags,
        operationId: 'getLiveStream',
        summary: 'Get a live stream',
        description:
          'The stream with its ingest URLs and stream key, playback URLs, status, current session, viewer counts and its latest recordings. 404 for a stream of another project or a deleted one.',
        params: StreamParams,
        response: { 200: stream, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => service.presentOne(req.projectId, req.params.id),
  );

  app.patch(
    '/live-streams/:id',
    {
      schema: {
        tags,
        operationId: 'updateLiveStream',
        summary: 'Update a live stream',
        description: 'Changes apply to the next broadcast.',
        params: StreamParams,
        body: UpdateLiveStreamBody,
        response: { 200: stream, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => service.present(await service.update(req.projectId, req.params.id, req.body)),
  );

  app.delete(
    '/live-streams/:id',
    {
      schema: {
        tags,
        operationId: 'deleteLiveStream',
        summary: 'Delete a live stream',
        description: 'Disconnects an active publisher; recordings stay.',
        params: StreamParams,
        response: { 204: Type.Null(), ...errors(...commonErrors, 404) },
      },
    },
    async (req, reply) => {
      await service.delete(req.projectId, req.params.id);
      return reply.code(204).send(null);
    },
  );

  const action = (path: string, operationId: string, summary: string, description: string, run: (projectId: string, id: string) => Promise<unknown>) =>
    app.post(
      `/live-streams/:id/${path}`,
      {
        schema: { tags, operationId, summary, description, params: StreamParams, response: { 200: stream, ...errors(...commonErrors, 404, 409) } },
      },
      async (req) => service.present((await run(req.projectId, req.params.id)) as Parameters<LiveStreamService['present']>[0]),
    );

  action('reset-stream-key', 'resetStreamKey', 'Reset the stream key', 'Issues a new key; the old one is refused from now on.', (p, i) =>
    service.resetStreamKey(p, i),
  );
  action('disable', 'disableLiveStream', 'Disable a live stream', 'Refuses publishes and disconnects the current one.', service.disable);
  action('enable', 'enableLiveStream', 'Enable a live stream', 'Accepts publishes again.', service.enable);
  action(
    'complete',
    'completeLiveStream',
    'End the current broadcast',
    'Ends the session now, without a reconnect window. 409 when nothing is live.',
    service.complete,
  );

  app.get(
    '/live-streams/:id/sessions',
    {
      schema: {
        tags,
        operationId: 'listLiveStreamSessions',
        summary: 'List the broadcasts (sessions) of a live stream',
        description:
          'One session per broadcast (a reconnect inside the window continues the same session), newest first, with when it started and ended, its status and its ingest node.',
        params: StreamParams,
        querystring: SessionsQuery,
        response: { 200: SessionPage, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => service.listSessions(req.projectId, req.params.id, req.query),
  );

  app.get(
    '/live-streams/:id/sessions/:sessionId/stats',
    {
      schema: {
        tags,
        operationId: 'getSessionStats',
        summary: "A session's encoder health over its last 15 minutes",
        description: 'One sample per ingest heartbeat (5 s): bitrate, frame rate, keyframe interval. Kept for 6 hours.',
        params: Type.Object({ id: LiveStreamId, sessionId: Type.String({ pattern: '^lss_[0-9A-Za-z]{22}$' }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            sessionId: Type.String(),
            data: Type.Array(
              Type.Object({
                t: Type.String({ format: 'date-time' }),
                bitrateKbps: Type.Optional(Type.Number()),
                fps: Type.Optional(Type.Number()),
                keyframeIntervalSeconds: Type.Optional(Type.Number()),
              }),
            ),
          }),
          ...errors(...commonErrors, 404),
        },
      },
    },
    async (req) => service.sessionStats(req.projectId, req.params.id, req.params.sessionId),
  );

  app.get(
    '/live-streams/:id/viewers',
    {
      schema: {
        tags,
        operationId: 'getLiveStreamViewers',
        summary: 'Viewers of a live stream over time',
        description:
          'Distinct viewers per 10 seconds (HLS players and WebRTC viewers, counted by the playback edges), every bucket from `from` to `to` (at most 24 hours; default the last hour).',
        params: StreamParams,
        querystring: ViewersQuery,
        response: { 200: ViewerSeries, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => service.viewerSeries(req.projectId, req.params.id, req.query.from, req.query.to),
  );
};
