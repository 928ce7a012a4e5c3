// Every operation of the published spec carries an example request body and an example answer for
// each status it can give, so Swagger UI, generated SDKs and mock servers show real shapes. Success
// examples are sampled from the response schemas (openapi-sampler, Redoc's sampler: it honours each
// schema's `examples`, formats and id patterns); error examples are the envelope with the code that
// status carries. A test validates every example against its schema.
import { sample } from 'openapi-sampler';

type Json = Record<string, any>;

/** The code each error status answers with most often (the envelope is the same for all). */
const ERROR_EXAMPLES: Record<string, { code: string; message: string; details?: Json[] }> = {
  '400': {
    code: 'validation_failed',
    message: 'body/name must NOT have fewer than 1 characters',
    details: [{ field: '/name', message: 'must NOT have fewer than 1 characters' }],
  },
  '401': { code: 'unauthorized', message: 'Missing or invalid API key' },
  '403': { code: 'insufficient_scope', message: 'This API key lacks the "write" scope (it has: read)' },
  '404': { code: 'not_found', message: 'Live stream not found' },
  '409': { code: 'invalid_state', message: 'The live stream is active; end the broadcast first' },
  '422': { code: 'unprocessable', message: 'The request is valid but cannot be carried out' },
  '429': { code: 'rate_limited', message: 'Rate limit exceeded, retry in 12 seconds' },
  '503': { code: 'service_unavailable', message: 'The database is unavailable; retry shortly' },
};

export function withExamples<T extends Json>(doc: T): T {
  for (const ops of Object.values(doc.paths ?? {}) as Json[]) {
    for (const op of Object.values(ops) as Json[]) {
      const body = op.requestBody?.content?.['application/json'];
      if (body?.schema && body.example === undefined) body.example = sample(body.schema, { skipReadOnly: true, enablePatterns: true, quiet: true }, doc);
      for (const [status, response] of Object.entries(op.responses ?? {}) as [string, Json][]) {
        const media = response.content?.['application/json'];
        if (!media?.schema || media.example !== undefined) continue;
        const error = String(media.schema.$ref).endsWith('/ErrorEnvelope') ? ERROR_EXAMPLES[status] : undefined;
        media.example = error ? { error: { details: [], ...error } } : sample(media.schema, { enablePatterns: true, quiet: true }, doc);
      }
    }
  }
  return doc;
}
