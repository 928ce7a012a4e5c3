// `POST /whep/:playbackId` (WHEP, public like the HLS URL): 307 to a WebRTC edge, which answers the
// offer. Clients follow the redirect with the same method and body (fetch, OBS, GStreamer's whepsrc).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '@airwave/core';
import { errors } from '../../lib/schemas.js';
import { checkInternalToken } from '../../plugins/app/auth.js';
import type { WhepEntry } from './service.js';

const Params = Type.Object({ playbackId: Type.String({ pattern: '^[0-9A-Za-z]{32}$' }) }, { additionalProperties: false });
const Query = Type.Object({ token: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: true });

export const whepRoutes: FastifyPluginAsyncTypebox<{ entry: WhepEntry; internalToken: string }> = async (app, { entry, internalToken }) => {
  // KEDA scales the edges on this (infra/k8s/base/edge.yaml).
  app.get('/internal/webrtc/load', { schema: { hide: true } }, async (req) => {
    checkInternalToken(req, internalToken);
    return entry.load();
  });

  // The offer is for the edge; the API only needs to accept it to redirect it.
  app.addContentTypeParser('application/sdp', { parseAs: 'string', bodyLimit: 128 * 1024 }, (_req, body, done) => done(null, body));

  app.options('/whep/:playbackId', { schema: { hide: true } }, async (req, reply) =>
    reply
      .code(204)
      .header('access-control-allow-origin', req.headers.origin ?? '*')
      .header('vary', 'Origin')
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'Content-Type, Authorization')
      .header('access-control-max-age', '600')
      .header('accept-post', 'application/sdp')
      .send(),
  );

  app.post(
    '/whep/:playbackId',
    {
      // Before the body is parsed or validated: anything but SDP is a 415 (WHEP clients expect it).
      onRequest: async (req, reply) => {
        reply.header('access-control-allow-origin', req.headers.origin ?? '*').header('vary', 'Origin');
        if (!req.headers['content-type']?.toLowerCase().startsWith('application/sdp'))
          throw new AppError(415, 'unsupported_media_type', 'Send the offer as application/sdp');
      },
      schema: {
        tags: ['playback'],
        operationId: 'watchLiveStream',
        summary: 'Watch a live stream over WebRTC (WHEP)',
        description:
          'Send an SDP offer (`Content-Type: application/sdp`) that receives H.264 video (and Opus audio). The answer is a `307` to a ' +
          'WebRTC edge with room; the edge answers `201` with the SDP answer and a `Location` to `DELETE` when done. Signed streams take ' +
          '`?token=` as HLS does; allowed origins apply.',
        security: [],
        consumes: ['application/sdp'],
        body: Type.String({ description: 'The SDP offer', maxLength: 128 * 1024 }),
        params: Params,
        querystring: Query,
        response: { 307: Type.Null({ description: 'Follow `Location` with the same offer' }), ...errors(400, 403, 404, 415, 503) },
      },
    },
    async (req, reply) => {
      reply.header('access-control-expose-headers', 'Location');
      const location = await entry.locate(req.params.playbackId, { token: req.query.token, origin: req.headers.origin, referer: req.headers.referer });
      return reply.code(307).header('location', location).header('cache-control', 'no-store').send(null);
    },
  );
};
