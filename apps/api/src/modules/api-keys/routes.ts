import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, DateTime, errors, idParam, Nullable, Page, PageQuery } from '../../lib/schemas.js';
import { SCOPES } from './scopes.js';
import { type ApiKeyService, presentApiKey } from './service.js';

const ApiKeyId = idParam('key', 'API key id');
const Scopes = Type.Array(Type.Union([Type.Literal('read'), Type.Literal('write'), Type.Literal('playback')]), {
  minItems: 1,
  maxItems: SCOPES.length,
  uniqueItems: true,
  description: '`read`: every GET. `write`: full access (includes read and playback). `playback`: mint playback tokens only.',
  examples: [['read']],
});
const fields = {
  id: ApiKeyId,
  name: Type.String(),
  scopes: Scopes,
  prefix: Type.String({ description: 'The start of the secret, to tell keys apart', examples: ['aw_sk_Xk3p…'] }),
  createdAt: DateTime,
  lastUsedAt: Nullable(Type.String({ format: 'date-time', description: 'Updated at most once a minute' })),
};
const ApiKey = Type.Object(fields, { $id: 'ApiKey' });
const CreatedApiKey = Type.Object({ ...fields, secret: Type.String({ description: 'The key itself. Shown once: Airwave keeps only its hash.' }) });
const Params = Type.Object({ id: ApiKeyId }, { additionalProperties: false });
const PageQ = Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }, { additionalProperties: false });
const ref = Type.Ref('ApiKey');
const tags = ['api-keys'];

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ service: ApiKeyService }> = async (app, { service }) => {
  app.addSchema(ApiKey);

  app.post(
    '/api-keys',
    {
      config: { idempotent: true },
      schema: {
        tags,
        operationId: 'createApiKey',
        summary: 'Create an API key',
        description: 'The secret is in this answer only. A key can grant only scopes it holds (403 `insufficient_scope` otherwise).',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100, examples: ['reporting (read only)'] }), scopes: Scopes },
          { additionalProperties: false },
        ),
        response: { 201: CreatedApiKey, ...errors(...commonErrors) },
      },
    },
    async (req, reply) => reply.code(201).send(await service.create(req.caller, req.body)),
  );

  app.get(
    '/api-keys',
    {
      schema: {
        tags,
        operationId: 'listApiKeys',
        summary: 'List API keys (secrets are never shown again)',
        description:
          'Every active key of the project with its name, scopes, prefix, creation and last use (updated at most once a minute). The secrets are never shown again.',
        querystring: PageQ,
        response: { 200: Page(ref), ...errors(...commonErrors) },
      },
    },
    async (req) => service.list(req.projectId, req.query),
  );

  app.get(
    '/api-keys/:id',
    {
      schema: {
        tags,
        operationId: 'getApiKey',
        summary: 'Get an API key',
        description: "One key's name, scopes, prefix, creation and last use; never its secret.",
        params: Params,
        response: { 200: ref, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => presentApiKey(await service.get(req.projectId, req.params.id)),
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags,
        operationId: 'deleteApiKey',
        summary: 'Delete (revoke) an API key',
        description:
          'Requests with it fail within seconds. Deleting the key that makes the request is refused (409 `last_write_key`) unless the project has another write key.',
        params: Params,
        response: { 204: Type.Null(), ...errors(...commonErrors, 404, 409) },
      },
    },
    async (req, reply) => {
      await service.delete(req.caller, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
