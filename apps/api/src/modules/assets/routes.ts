import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AllowedOrigins, commonErrors, DateTime, errors, idParam, Nullable, Page, PageQuery } from '../../lib/schemas.js';
import type { AssetService } from './service.js';
import type { Clips } from './clips.js';

const tags = ['assets'];
const PlaybackPolicy = Type.Union([Type.Literal('public'), Type.Literal('signed')], { description: 'signed: playback needs a token (copied from the stream)' });
const AssetId = idParam('as', 'Asset id');
const ClipRange = Type.Object({
  startTime: Type.Optional(DateTime),
  endTime: Type.Optional(DateTime),
  startOffsetSeconds: Type.Optional(Type.Number()),
  endOffsetSeconds: Type.Optional(Type.Number()),
});
const ClipInput = Type.Union(
  [
    Type.Object(
      {
        liveStreamId: idParam('ls', 'The live stream to clip, live or recorded'),
        startTime: Type.String({ format: 'date-time', description: 'Wall-clock start, as in EXT-X-PROGRAM-DATE-TIME' }),
        endTime: Type.String({ format: 'date-time' }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        assetId: idParam('as', 'The asset to clip'),
        startOffsetSeconds: Type.Number({ minimum: 0 }),
        endOffsetSeconds: Type.Number({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'A live stream and wall-clock times, or an asset and offsets' },
);
const Asset = Type.Object(
  {
    id: AssetId,
    liveStreamId: Nullable(Type.String()),
    sessionId: Nullable(Type.String()),
    status: Type.Union([Type.Literal('preparing'), Type.Literal('ready'), Type.Literal('errored')]),
    durationSeconds: Nullable(Type.Number()),
    clip: Nullable(
      Type.Object(
        {
          source: Type.Union([Type.Object({ liveStreamId: Type.String() }), Type.Object({ assetId: Type.String() })]),
          requested: ClipRange,
          actual: Type.Optional(ClipRange),
        },
        { description: 'A clip: its source, the range asked for, and the range it got (cut at segment boundaries outside it); null for a recording' },
      ),
    ),
    views: Type.Integer({
      description: 'Distinct viewers that fetched its media, live or on demand (counted by the playback edges, updated about once a minute)',
    }),
    watchTimeSeconds: Type.Number({ description: 'Time watched by all viewers: 10 s for each viewer and 10 s window in which it fetched media' }),
    playbackId: Type.String(),
    playbackPolicy: PlaybackPolicy,
    allowedOrigins: Type.Array(Type.String()),
    playback: Type.Object({ policy: PlaybackPolicy, hlsUrl: Type.String() }),
    mp4Url: Nullable(Type.String()),
    thumbnailUrl: Nullable(Type.String()),
    storyboardUrl: Nullable(
      Type.String({ description: 'WebVTT of sprite-sheet tiles (`storyboard.jpg#xywh=x,y,w,h`) for seek-bar previews; appears a little after `mp4Url`' }),
    ),
    passthrough: Nullable(Type.String()),
    errorMessage: Nullable(Type.String()),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'Asset' },
);
const ref = Type.Ref('Asset');
const Params = Type.Object({ id: AssetId }, { additionalProperties: false });

export const assetRoutes: FastifyPluginAsyncTypebox<{ service: AssetService; clips: Clips }> = async (app, { service, clips }) => {
  app.addSchema(Asset);

  app.post(
    '/assets',
    {
      config: { idempotent: true },
      schema: {
        tags,
        operationId: 'createClip',
        summary: 'Clip a live stream or an asset',
        description:
          'Answers a `preparing` asset at once; it becomes `ready` (HLS, then MP4) when its segments are copied, with no re-encode. Cuts fall on the nearest segment boundaries outside the range (`clip.actual`). Live clips work while the stream is live, within its recording or DVR window. At most 4 hours. Honours `Idempotency-Key`.',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
        body: Type.Object({ input: ClipInput, passthrough: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))) }, { additionalProperties: false }),
        response: { 201: ref, ...errors(...commonErrors, 404, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(service.present(await clips.create(req.projectId, req.body.input, req.body.passthrough))),
  );

  app.get(
    '/assets',
    {
      schema: {
        tags,
        operationId: 'listAssets',
        summary: 'List VOD assets, newest first',
        description:
          'Pages of VOD assets (recordings of broadcasts and clips), newest first, with status (preparing, ready, errored), duration and playback URLs.',
        querystring: Type.Object(
          {
            limit: Type.Optional(PageQuery.limit),
            cursor: Type.Optional(PageQuery.cursor),
            liveStreamId: Type.Optional(idParam('ls', 'Only this stream’s recordings')),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ref), ...errors(...commonErrors) },
      },
    },
    async (req) => service.list(req.projectId, req.query),
  );

  app.get(
    '/assets/:id',
    {
      schema: {
        tags,
        operationId: 'getAsset',
        summary: 'Get an asset',
        description:
          'A recording or clip: status, duration, views, playback URLs (HLS, MP4 when ready, thumbnail, storyboard) and the live stream and session it came from.',
        params: Params,
        response: { 200: ref, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => service.present(await service.get(req.projectId, req.params.id)),
  );

  app.patch(
    '/assets/:id',
    {
      schema: {
        tags,
        operationId: 'updateAsset',
        summary: "Change a recording's playback policy or allowed origins",
        description:
          'Makes a recording public or signed and sets the pages allowed to play it (`allowedOrigins`); players see the change within seconds. The media is not touched.',
        params: Params,
        body: Type.Object(
          { playbackPolicy: Type.Optional(PlaybackPolicy), allowedOrigins: Type.Optional(AllowedOrigins) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ref, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => service.present(await service.update(req.projectId, req.params.id, req.body)),
  );

  app.delete(
    '/assets/:id',
    {
      schema: {
        tags,
        operationId: 'deleteAsset',
        summary: 'Delete an asset and its stored objects',
        description: 'Deletes the asset at once (404 afterwards, its URLs stop playing) and removes its stored objects in the background.',
        params: Params,
        response: { 204: Type.Null(), ...errors(...commonErrors, 404) },
      },
    },
    async (req, reply) => {
      await service.delete(req.projectId, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
