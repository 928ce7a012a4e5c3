// `Idempotency-Key` on POSTs: the first request with a key stores its response; the same key with
// the same body replays it; the same key with another body is a 422; a retry that arrives while the
// first is still running gets a 409 instead of doing the work twice. Records live 24 hours.
import { ConflictError, decryptSecret, encryptSecret, newId, sha256Hex, UnprocessableError, ValidationError } from '@airwave/core';
import { Prisma, type Db } from '@airwave/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Honour `Idempotency-Key` on this route. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyRecordId?: string;
  }
}

const TTL_MS = 24 * 3600 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

function requestHash(request: FastifyRequest): string {
  return sha256Hex(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`);
}

// Stored answers can hold secrets shown once (a stream key, a webhook secret), so they are kept
// encrypted like every other secret at rest.
export default fp(async function idempotency(app: FastifyInstance, opts: { db: Db; encryptionKey: Buffer }) {
  const { db, encryptionKey } = opts;

  app.addHook('preHandler', async (request, reply) => {
    if (!request.routeOptions.config.idempotent) return;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new ValidationError('Idempotency-Key must be 1–255 printable ASCII characters', [{ field: 'Idempotency-Key', message: 'invalid' }]);
    }
    const hash = requestHash(request);
    const projectId = request.projectId;
    const id = newId('idempotency');
    try {
      await db.idempotencyRecord.create({
        data: { id, projectId, key, method: request.method, path: request.url, requestHash: hash },
      });
      request.idempotencyRecordId = id;
      return;
    } catch (err) {
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    }
    const existing = await db.idempotencyRecord.findUnique({ where: { projectId_key: { projectId, key } } });
    if (!existing) throw new ConflictError('idempotency_conflict', 'Retry the request');
    if (existing.createdAt.getTime() < Date.now() - TTL_MS) {
      // An expired key is free again: take it over for this request.
      await db.idempotencyRecord.update({
        where: { id: existing.id },
        data: {
          requestHash: hash,
          method: request.method,
          path: request.url,
          statusCode: null,
          responseBody: Prisma.DbNull,
          createdAt: new Date(),
          completedAt: null,
        },
      });
      request.idempotencyRecordId = existing.id;
      return;
    }
    if (existing.requestHash !== hash) {
      throw new UnprocessableError('idempotency_key_reused', 'This Idempotency-Key was used with a different request');
    }
    if (existing.statusCode === null) {
      throw new ConflictError('idempotency_in_progress', 'A request with this Idempotency-Key is still in progress');
    }
    reply.header('idempotent-replayed', 'true');
    const sealed = (existing.responseBody as { sealed?: string } | null)?.sealed;
    reply.code(existing.statusCode);
    return sealed ? reply.type('application/json').send(decryptSecret(sealed, encryptionKey)) : reply.send();
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const id = request.idempotencyRecordId;
    if (!id) return payload;
    request.idempotencyRecordId = undefined;
    if (reply.statusCode >= 500) {
      // A server failure is not an answer worth replaying: let the client retry with the same key.
      await db.idempotencyRecord.delete({ where: { id } }).catch(() => {});
      return payload;
    }
    const body = typeof payload === 'string' && payload.length ? { sealed: encryptSecret(payload, encryptionKey) } : Prisma.JsonNull;
    await db.idempotencyRecord.update({
      where: { id },
      data: { statusCode: reply.statusCode, responseBody: body, completedAt: new Date() },
    });
    return payload;
  });
});
