// The HTTP side of WHIP and WHEP (RFC 9725 and the WHEP draft), shared by the edge and the ingest:
// SDP bodies, CORS for pages on any origin (the resource's own policy was checked before a client
// gets here), `Link` headers for ICE servers, and the one error envelope of the API.
import { AppError } from '@airwave/common';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { OfferError } from './offer.js';

export function sendEnvelope(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .type('application/json')
    .send({ error: { code, message, details: [] } });
}

export function createSignalingServer(log: Logger, opts: { iceLinks: string[] }): FastifyInstance {
  // Request logs without query strings: WHEP tickets ride there (and stream keys never reach a log:
  // WHIP sends them in the Authorization header, which request logs do not carry).
  const requestLog = log.child(
    {},
    {
      serializers: { req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }) },
    },
  );
  const app = Fastify({ loggerInstance: requestLog, bodyLimit: 128 * 1024, trustProxy: true }) as unknown as FastifyInstance;
  app.addContentTypeParser('application/sdp', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addHook('onSend', async (_req, reply) => {
    // A viewer may arrive from any page: the API's redirect carried the origin check (and tainted
    // the Origin to "null" on the way), so the answer itself is open.
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'Location, Link, ETag, Retry-After');
  });
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'OPTIONS') return;
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, DELETE, PATCH, OPTIONS')
      .header('access-control-allow-headers', 'Content-Type, Authorization, If-Match')
      .header('access-control-max-age', '600')
      .header('accept-post', 'application/sdp');
    for (const link of opts.iceLinks) reply.header('link', link);
    return reply.send();
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '2');
      return sendEnvelope(reply, err.statusCode, err.code, err.message);
    }
    if (err instanceof OfferError) return sendEnvelope(reply, 400, 'invalid_offer', `Invalid SDP offer: ${err.message}`);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendEnvelope(reply, 415, 'unsupported_media_type', 'Send the offer as application/sdp');
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendEnvelope(reply, 413, 'payload_too_large', 'The offer is too large');
    if (err.statusCode && err.statusCode < 500) return sendEnvelope(reply, err.statusCode, 'bad_request', err.message);
    req.log.error({ err }, 'unhandled error');
    return sendEnvelope(reply, 500, 'internal_error', 'Internal server error');
  });
  app.setNotFoundHandler((req, reply) => sendEnvelope(reply, 404, 'not_found', `No route for ${req.method} ${req.url.split('?')[0]}`));
  return app;
}

/** The SDP body of a POST, or a 415/400 in the envelope. */
export function sdpBody(contentType: string | undefined, body: unknown): string {
  if (!contentType?.toLowerCase().startsWith('application/sdp')) throw new AppError(415, 'unsupported_media_type', 'Send the offer as application/sdp');
  if (typeof body !== 'string' || body.trim() === '') throw new OfferError('the body is empty');
  return body.replace(/\r?\n/g, '\r\n');
}
