// Start-up order is the architecture: external plugins, then app plugins, then routes.
import { randomUUID, hkdfSync } from 'node:crypto';
import type { Config } from '@airwave/config';
import { CursorCodec, OutboxRelay, publicUrls } from '@airwave/core';
import type { Db } from '@airwave/db';
import { ViewerRecorder, type Queues } from '@airwave/jobs';
import { Storage } from '@airwave/storage';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Redis } from 'ioredis';
import { ErrorEnvelope } from './lib/schemas.js';
import { AssetService } from './modules/assets/service.js';
import { assetRoutes } from './modules/assets/routes.js';
import { Clips } from './modules/assets/clips.js';
import { consoleRoutes } from './modules/console/routes.js';
import { healthRoutes } from './modules/health/routes.js';
import { PlaybackEdge } from './modules/playback/edge.js';
import { edgeRoutes } from './modules/playback/edge-routes.js';
import { ViewerCounting } from './modules/playback/viewer-counting.js';
import { playbackRoutes } from './modules/playback/routes.js';
import { PlaybackTokens } from './modules/playback/tokens.js';
import { PlaybackService } from './modules/playback/service.js';
import { WhepEntry } from './modules/whep/service.js';
import { whepRoutes } from './modules/whep/routes.js';
import { internalRoutes } from './modules/internal/routes.js';
import { IngestHookService } from './modules/internal/service.js';
import { LiveStreamRepository } from './modules/live-streams/repository.js';
import { liveStreamRoutes } from './modules/live-streams/routes.js';
import { StreamViewers } from './modules/live-streams/viewers.js';
import { LiveStream, Session } from './modules/live-streams/schemas.js';
import { LiveStreamService } from './modules/live-streams/service.js';
import { StatsHistory } from './modules/live-streams/stats-history.js';
import { signingKeyRoutes } from './modules/signing-keys/routes.js';
import { SigningKeyService } from './modules/signing-keys/service.js';
import { simulcastTargetRoutes } from './modules/simulcast-targets/routes.js';
import { SimulcastTargetService } from './modules/simulcast-targets/service.js';
import { webhookRoutes } from './modules/webhooks/routes.js';
import { WebhookService } from './modules/webhooks/service.js';
import { ApiKeyAuthenticator } from './plugins/app/auth.js';
import { apiKeyRoutes } from './modules/api-keys/routes.js';
import { ApiKeyService } from './modules/api-keys/service.js';
import { scopeForMethod } from './modules/api-keys/scopes.js';
import errorHandler, { sendError } from './plugins/app/error-handler.js';
import idempotency from './plugins/app/idempotency.js';
import internalListener from './plugins/app/internal-listener.js';
import metrics from './plugins/app/metrics.js';
import rateLimiter from './plugins/external/rate-limit.js';
import openapi from './plugins/external/swagger.js';

export interface AppDeps {
  config: Config;
  db: Db;
  /** Producer connection: fails fast while Redis is down. */
  redis: Redis;
  queues: Queues;
}

export async function buildApp(deps: AppDeps, logger: FastifyServerOptions['logger'] = false) {
  const { config, db, redis, queues } = deps;
  const app = Fastify({
    logger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    // On close, idle keep-alive connections go at once and requests in flight finish (a rolling
    // deploy cuts no API call); server.ts cuts what is left (a viewer that stopped reading media)
    // after a grace period.
    forceCloseConnections: 'idle',
    // Requests that arrive while closing get our envelope (below), not Fastify's own 503 body.
    return503OnClosing: false,
    // Errors raised before routing (a malformed URL, a parameter longer than the router takes) get
    // the same envelope as everything else.
    frameworkErrors: (err, _req, reply) =>
      err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? sendError(reply, 414, 'uri_too_long', 'A path parameter is longer than any valid id')
        : sendError(reply, 400, 'bad_url', 'The request URL is malformed'),
    genReqId: () => randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // An empty body with Content-Type: application/json is "no body", as Mux and Stripe take it: many
  // HTTP clients (and curl templates) send the header on every POST. A route that needs a body then
  // answers the validation envelope naming the missing fields (error-handler.ts).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    (body as string).trim() === '' ? done(null, undefined) : parseJson(req, body as string, done),
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // A request that finishes while closing ends its keep-alive connection, so close() need not
    // wait for the client to let go of it.
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close').header('retry-after', '1');
    return sendError(reply, 503, 'shutting_down', 'This API instance is shutting down; retry (another one answers)');
  });

  // External plugins
  await app.register(openapi, { serverUrl: config.api.publicUrl });

  // App plugins
  await app.register(errorHandler);
  await app.register(internalListener, { separate: Boolean(config.api.internalListener) });
  const storage = Storage.fromConfig(config);
  await app.register(metrics, { queues, db, redis, storage });
  app.addSchema(ErrorEnvelope);
  app.addSchema(LiveStream);
  app.addSchema(Session);

  // Services
  const urls = publicUrls(config);
  // Cursor signatures use their own key, derived so that it never equals the encryption key.
  const cursors = new CursorCodec(Buffer.from(hkdfSync('sha256', config.encryptionKey, 'airwave', 'pagination-cursor', 32)));
  // What transitions commit (jobs, control messages, webhook fan-outs) reaches Redis through the relay.
  const outbox = new OutboxRelay(db, config.databaseUrl, queues, redis, config.redis.prefix, app.log);
  outbox.start();
  app.addHook('onClose', () => outbox.stop());
  app.decorate('outbox', outbox);
  const simulcast = new SimulcastTargetService(db, config);
  const history = new StatsHistory(redis, config.redis.prefix);
  const streamRepo = new LiveStreamRepository(db);
  const liveStreams = new LiveStreamService(streamRepo, simulcast, config, urls, cursors, history, new StreamViewers(redis, config.redis.prefix, streamRepo));
  const auth = new ApiKeyAuthenticator(db);
  const tokens = new PlaybackTokens(db, config.playbackSigningKey);

  // Routes
  await app.register(healthRoutes, { db, redis, supervisorStateFile: config.supervisorStateFile });
  await app.register(playbackRoutes, { service: new PlaybackService(db, urls) });
  await app.register(consoleRoutes);
  const playbackEdge = new PlaybackEdge(db, tokens);
  const counting = new ViewerCounting(new ViewerRecorder(redis, config.redis.prefix));
  await app.register(edgeRoutes, { edge: playbackEdge, storage, internalToken: config.internalToken, counting });
  await app.register(whepRoutes, {
    entry: new WhepEntry(db, playbackEdge, redis, config.redis.prefix, config.internalToken),
    internalToken: config.internalToken,
  });
  await app.register(
    async (v1) => {
      await v1.register(rateLimiter, { redis, prefix: config.redis.prefix, max: config.rateLimit.max, windowMs: config.rateLimit.windowMs });
      v1.addHook('onRequest', async (request) => auth.authenticate(request));
      // The spec names each operation's scope (OpenAPI 3.1 allows role names for http schemes).
      v1.addHook('onRoute', (route) => {
        const method = Array.isArray(route.method) ? route.method[0]! : route.method;
        if (route.schema) route.schema.security = [{ apiKey: [route.config?.scope ?? scopeForMethod(method)] }];
      });
      await v1.register(idempotency, { db, encryptionKey: config.encryptionKey });
      await v1.register(liveStreamRoutes, { service: liveStreams });
      await v1.register(simulcastTargetRoutes, { service: simulcast });
      await v1.register(assetRoutes, { service: new AssetService(db, urls, cursors), clips: new Clips(db, storage, urls) });
      await v1.register(apiKeyRoutes, { service: new ApiKeyService(db, cursors, (hash) => auth.forget(hash)) });
      await v1.register(signingKeyRoutes, { service: new SigningKeyService(db, tokens, cursors) });
      await v1.register(webhookRoutes, { service: new WebhookService(db, config, cursors) });
    },
    { prefix: '/v1' },
  );
  await app.register(internalRoutes, {
    prefix: '/internal',
    service: new IngestHookService(db, urls, history, config.internalToken),
    internalToken: config.internalToken,
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
