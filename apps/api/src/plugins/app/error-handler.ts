// Maps every failure to the one envelope `{"error": {"code", "message", "details"}}`. Typed
// AppErrors keep their status; framework errors get a stable code; anything else is a 500 whose
// internals stay in the log, never in the response.
import { AppError } from '@airwave/core';
import { isDatabaseUnavailable } from '@airwave/db';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details: unknown[] = []) {
  return reply.code(status).type('application/json').send({ error: { code, message, details } });
}

const frameworkCodes: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'validation_failed', 'Request body is not valid JSON'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'Request body is larger than 1 MB'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'validation_failed', 'Content-Length does not match the body'],
};

export default fp(async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
    if (err instanceof AppError) {
      // Every 503 is an outage a client should retry, and says when.
      if (err.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
      return sendError(reply, err.statusCode, err.code, err.message, err.details);
    }
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      if (where === 'body' && request.body === undefined) {
        // No body at all (an empty one included): name what the route needs rather than "must be object".
        const required = (request.routeOptions.schema?.body as { required?: string[] } | undefined)?.required ?? [];
        const details = required.map((field) => ({ field, message: 'is required' }));
        const what = required.length ? `; required: ${required.join(', ')}` : '';
        return sendError(reply, 400, 'validation_failed', `Request body is missing${what}`, details);
      }
      const details = err.validation.map((v) => ({
        field: `${where}${v.instancePath.replace(/\//g, '.')}`.replace(/^body\./, ''),
        message:
          v.keyword === 'additionalProperties'
            ? `unknown field '${(v.params as { additionalProperty: string }).additionalProperty}'`
            : (v.message ?? 'is invalid'),
      }));
      return sendError(reply, 400, 'validation_failed', `Invalid ${where}: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`, details);
    }
    const known = err.code ? frameworkCodes[err.code] : undefined;
    if (known) return sendError(reply, known[0], known[1], known[2]);
    if (err.statusCode === 429) return sendError(reply, 429, 'rate_limited', err.message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, err.statusCode, 'bad_request', err.message);
    }
    if (isDatabaseUnavailable(err)) {
      // An outage, not a bug: clients retry (the ingest refuses publishes meanwhile: fail closed).
      request.log.warn({ err: err.message.split('\n').at(-1) }, 'database unavailable');
      reply.header('retry-after', '2');
      return sendError(reply, 503, 'service_unavailable', 'The database is unavailable; retry shortly');
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, 500, 'internal_error', 'Internal server error');
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`));
});
