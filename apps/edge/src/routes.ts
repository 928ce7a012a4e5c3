// WHEP on the edge. Viewers arrive here by the API's 307 (apps/api/src/modules/whep), with a ticket
// that says which session to pull and that the playback policy was checked.
import { ForbiddenError, UnauthorizedError } from '@airwave/common';
import { verifyWhepTicket } from '@airwave/jobs';
import { sdpBody } from '@airwave/webrtc';
import type { FastifyInstance } from 'fastify';
import type { Viewers } from './viewers.js';

export function edgeRoutes(app: FastifyInstance, o: { viewers: Viewers; internalToken: string; publicUrl: string; iceLinks: string[] }) {
  app.post<{ Params: { playbackId: string }; Querystring: { t?: string } }>('/whep/:playbackId', async (req, reply) => {
    const ticket = verifyWhepTicket(o.internalToken, req.query.t);
    if (!ticket || ticket.playbackId !== req.params.playbackId) {
      throw new ForbiddenError('invalid_ticket', 'Start playback at the stream’s whepUrl (this edge link is missing, expired or for another stream)');
    }
    const offer = sdpBody(req.headers['content-type'], req.body);
    const { viewerId, answer } = await o.viewers.join(ticket, offer);
    for (const link of o.iceLinks) reply.header('link', link);
    return reply
      .code(201)
      .type('application/sdp')
      .header('location', `${o.publicUrl}/whep/sessions/${viewerId}`)
      .header('etag', `"${viewerId.slice(0, 8)}"`)
      .send(answer);
  });

  app.delete<{ Params: { viewerId: string } }>('/whep/sessions/:viewerId', async (req, reply) => {
    o.viewers.leave(req.params.viewerId);
    return reply.code(200).send();
  });

  // Trickle ICE and ICE restarts are not offered: every candidate is in the answer (RFC 9725 §4.3.1).
  app.patch('/whep/sessions/:viewerId', async (_req, reply) =>
    reply
      .code(405)
      .header('allow', 'DELETE, OPTIONS')
      .type('application/json')
      .send({ error: { code: 'method_not_allowed', message: 'Trickle ICE is not supported: every candidate is in the answer', details: [] } }),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  // The edge's own view (operators, tests): behind the internal token, like the API's /internal/*.
  app.get('/metrics/viewers', async (req) => {
    if (req.headers.authorization !== `Bearer ${o.internalToken}`) throw new UnauthorizedError('This endpoint needs the internal token');
    return { viewers: o.viewers.count, sessions: o.viewers.sessions, firstFrameMs: o.viewers.firstFrameMs.slice(-100) };
  });
}
