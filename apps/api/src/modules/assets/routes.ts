import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AllowedOrigins, commonErrors, DateTime, errors, idParam, Nullable, Page, PageQuery } from '../../lib/schemas.js';
import type { AssetService } from './service.js';

const tags = ['assets'];
const PlaybackPolicy = Type.Union([Type.Literal('public'), Type.Literal('signed')], { description: 'signed: playback needs a token (copied from the stream)' });
const AssetId = idParam('as', 'Asset id');
const Asset = Type.Object(
  {
    id: AssetId,
    liveStreamId: Nullable(Type.String()),
    sessionId: Nullable(Type.String()),
    status: Type.Union([Type.Literal('preparing'), Type.Literal('ready'), Type.Literal('errored')]),
    durationSeconds: Nullable(Type.Number()),
    playbackId: Type.String(),
    playbackPolicy: PlaybackPolicy,
    allowedOrigins: Type.Array(Type.String()),
    playback: Type.Object({ policy: PlaybackPolicy, hlsUrl: Type.String() }),
    mp4Url: Nullable(Type.String()),
    thumbnailUrl: Nullable(Type.String()),
    passthrough: Nullable(Type.String()),
    errorMessage: Nullable(Type.String()),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'Asset' },
);
const ref = Type.Ref('Asset');
const Params = Type.Object({ id: AssetId }, { additionalProperties: false });

export const assetRoutes: FastifyPluginAsyncTypebox<{ service: AssetService }> = async (app, { service }) => {
  app.addSchema(Asset);

  app.get(
    '/assets',
    {
      schema: {
        tags,
        summary: 'List VOD assets, newest first',
        querystring: Type.Object(
          { limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor), liveStreamId: Type.Optional(idParam('ls', 'Only this stream’s recordings')) },
          { additionalProperties: false },
        ),
        response: { 200: Page(ref), ...errors(...commonErrors) },
      },
    },
    async (req) => service.list(req.projectId, req.query),
  );

  app.get(
    '/assets/:id',
    { schema: { tags, summary: 'Get an asset', params: Params, response: { 200: ref, ...errors(...commonErrors, 404) } } },
    async (req) => service.present(await service.get(req.projectId, req.params.id)),
  );

  app.patch(
    '/assets/:id',
    {
      schema: {
        tags,
        summary: "Change a recording's playback policy or allowed origins",
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
    { schema: { tags, summary: 'Delete an asset and its stored objects', params: Params, response: { 204: Type.Null(), ...errors(...commonErrors, 404) } } },
    async (req, reply) => {
      await service.delete(req.projectId, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
