// The local CDN: `GET /cdn/<object key>` serves the bucket through the playback edge. With a real
// CDN in front of the bucket, the CDN asks `GET /internal/playback/authorize` instead (nginx
// auth_request) and only playlists of signed content come here, to carry the token (docs/playback-security.md).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Storage } from '@airwave/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { NotFoundError } from '@airwave/core';
import { checkInternalToken } from '../../plugins/app/auth.js';
import { withToken, type PlaybackEdge } from './edge.js';
import { OriginReader } from './origin-reader.js';
import { awaitPart, awaitPlaylist, reloadRequest } from './blocking-reload.js';
import type { ViewerCounting } from './viewer-counting.js';

const Query = Type.Object({ token: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: true });

function viewer(req: FastifyRequest, token: string | undefined) {
  return { token, origin: req.headers.origin, referer: req.headers.referer };
}

/** CORS for players on other origins: anyone for open content, the checked origin otherwise. */
function cors(reply: FastifyReply, req: FastifyRequest, restricted: boolean) {
  if (!restricted) return reply.header('access-control-allow-origin', '*');
  reply.header('vary', 'Origin');
  if (req.headers.origin) reply.header('access-control-allow-origin', req.headers.origin);
  return reply;
}

export const edgeRoutes: FastifyPluginAsyncTypebox<{ edge: PlaybackEdge; storage: Storage; internalToken: string; counting: ViewerCounting }> = async (
  app,
  { edge, storage, internalToken, counting },
) => {
  const origin = new OriginReader(storage);
  app.get('/cdn/*', { schema: { hide: true, querystring: Query } }, async (req, reply) => {
    const key = (req.params as { '*': string })['*'];
    const token = req.query.token;
    const { policy, ref, sid } = await edge.authorize(key, viewer(req, token));
    // Behind the compose CDN the viewer was counted when nginx asked /internal/playback/authorize.
    if (req.headers['x-airwave-counted'] === undefined)
      counting.hit(key, ref, { sid, vsid: (req.query as Record<string, unknown>).vsid, address: req.ip, userAgent: req.headers['user-agent'] });
    cors(reply, req, policy.allowedOrigins.length > 0);
    const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
    // Signed content is per viewer: shared caches must not keep one viewer's answer for another.
    const cacheControlOf = (c: string | undefined) => (policy.signed ? (c ?? '').replace('public', 'private') : c);
    if (key.endsWith('.m3u8')) {
      const reload = reloadRequest(req.query as Record<string, unknown>);
      const playlist = reload ? await awaitPlaylist(origin, key, reload) : await origin.playlist(key);
      if (!playlist) throw new NotFoundError('Object');
      const cacheControl = cacheControlOf(playlist.cacheControl);
      if (cacheControl) reply.header('cache-control', cacheControl);
      reply.type(playlist.contentType ?? 'application/vnd.apple.mpegurl');
      return reply.send(policy.signed && token ? withToken(playlist.text, token) : playlist.text);
    }
    // LL-HLS: a player may ask for the part a preload hint names before it exists: hold it briefly.
    const obj = key.endsWith('.part.m4s') ? await awaitPart(origin, key, range) : await origin.media(key, range);
    if (!obj) throw new NotFoundError('Object');
    const cacheControl = cacheControlOf(obj.cacheControl);
    if (cacheControl) reply.header('cache-control', cacheControl);
    reply.type(obj.contentType ?? 'application/octet-stream');
    reply.header('accept-ranges', 'bytes');
    if (obj.etag) reply.header('etag', obj.etag);
    if (obj.lastModified) reply.header('last-modified', obj.lastModified.toUTCString());
    if (obj.contentLength !== undefined) reply.header('content-length', obj.contentLength);
    if (obj.contentRange) reply.code(206).header('content-range', obj.contentRange);
    return reply.send(obj.body);
  });

  // nginx `auth_request`: the original URI arrives in X-Original-URI, the viewer's Origin and
  // Referer as they were. 204 lets the CDN serve from its cache or the bucket.
  app.get('/internal/playback/authorize', { schema: { hide: true } }, async (req, reply) => {
    checkInternalToken(req, internalToken);
    const original = new URL(String(req.headers['x-original-uri'] ?? '/'), 'http://cdn');
    let key: string;
    try {
      key = decodeURIComponent(original.pathname.replace(/^\/+/, ''));
    } catch {
      throw new NotFoundError('Object');
    }
    const { ref, sid } = await edge.authorize(key, viewer(req, original.searchParams.get('token') ?? undefined));
    // nginx names the viewer's address (this endpoint is internal: the header is the CDN's word).
    const address = typeof req.headers['x-viewer-address'] === 'string' ? req.headers['x-viewer-address'] : req.ip;
    counting.hit(key, ref, { sid, vsid: original.searchParams.get('vsid') ?? undefined, address, userAgent: req.headers['user-agent'] });
    return reply.code(204).send();
  });
};
