import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { withExamples } from './openapi-examples.js';

export const openapiInfo = {
  title: 'Airwave API',
  version: '1.0.0',
  description:
    'Self-hostable managed live streaming. Create a live stream, push RTMP to its `rtmpUrl` with its `streamKey`, ' +
    'play `playback.hlsUrl`. Every error has the shape `{"error": {"code", "message", "details"}}`.',
};

export default fp(async function openapi(app: FastifyInstance, opts: { serverUrl: string }) {
  await app.register(swagger, {
    // Components keep their $id (LiveStream, ErrorEnvelope…) instead of def-0, def-1…
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (document) => withExamples('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    openapi: {
      openapi: '3.1.0',
      info: openapiInfo,
      servers: [{ url: opts.serverUrl }],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An `aw_sk_…` API key. Each operation lists the scope it needs: `read` (GETs), `write` (full access), `playback` (mint playback tokens only).',
          },
        },
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'live-streams', description: 'Live streams, their keys, sessions and simulcast targets' },
        { name: 'assets', description: 'VOD recordings of broadcasts' },
        { name: 'webhooks', description: 'Signed event deliveries' },
        { name: 'playback', description: 'Public viewer endpoints, by playback id' },
        { name: 'api-keys', description: 'API keys and their scopes' },
        { name: 'operations', description: 'Health and readiness' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
