// Public playback: the player page, its viewer status, and hls.js from our own node_modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../../lib/schemas.js';
import { playerPage } from './page.js';
import type { PlaybackService } from './service.js';

const hlsJs = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
const Params = Type.Object({ playbackId: Type.String({ pattern: '^[0-9A-Za-z]{32}$' }) }, { additionalProperties: false });

export const playbackRoutes: FastifyPluginAsyncTypebox<{ service: PlaybackService }> = async (app, { service }) => {
  app.get('/play/assets/hls.min.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/javascript').header('cache-control', 'public, max-age=86400').send(hlsJs),
  );

  app.get('/play/:playbackId', { schema: { hide: true, params: Params } }, async (req, reply) => {
    await service.status(req.params.playbackId); // 404 for an unknown stream
    return reply.type('text/html; charset=utf-8').send(playerPage(req.params.playbackId));
  });

  app.get(
    '/play/:playbackId/status',
    {
      schema: {
        tags: ['playback'],
        operationId: 'getPlaybackStatus',
        summary: 'Viewer status of a stream or recording (public, by playback id)',
        description:
          'What the player page asks before and while it plays: waiting (no broadcast yet), live, ended, or vod, with the URLs to play and how to tune the player. Public: needs no API key, only the playback id; signed content still needs its token to play.',
        security: [],
        params: Params,
        response: {
          200: Type.Object({
            state: Type.Union([Type.Literal('waiting'), Type.Literal('live'), Type.Literal('ended'), Type.Literal('vod')]),
            status: Type.String(),
            hlsUrl: Type.String(),
            whepUrl: Type.Union([Type.String(), Type.Null()], { description: 'WebRTC (WHEP) playback of a live stream; null for a recording' }),
            latencyMode: Type.Union([Type.Literal('standard'), Type.Literal('low')], { description: 'How the player should tune itself' }),
            dvrWindowSeconds: Type.Integer({ description: 'How far back a live viewer may rewind (0: no DVR)' }),
            storyboardUrl: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'A recording’s seek-bar previews (WebVTT of sprite tiles)' })),
          }),
          ...errors(400, 404),
        },
      },
    },
    async (req, reply) => reply.header('cache-control', 'public, max-age=1').send(await service.status(req.params.playbackId)),
  );
};
