// The api process: config, dependencies, HTTP server, graceful shutdown.
import type { Server } from 'node:http';
import { loadConfigOrExit, loggerOptions } from '@airwave/config';
import { createDb } from '@airwave/db';
import { createRedis, Queues } from '@airwave/jobs';
import { buildApp } from './app.js';
import { listenInternal } from './plugins/app/internal-listener.js';
import { resealWorkerSecrets } from './lib/reseal-secrets.js';

const config = loadConfigOrExit(process.env, 'api');
const db = createDb(config.databaseUrl);
const redis = createRedis(config.redis.url, 'producer');
const queues = new Queues(redis, config.redis.prefix);
const app = await buildApp(
  { config, db, redis, queues },
  {
    ...loggerOptions(config, { service: 'api' }),
    redact: ['req.headers.authorization', 'streamKey'],
    // Playback tokens ride in query strings (?token=): a request log keeps only that one was sent.
    serializers: {
      req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({
        method: req.method,
        url: req.url.replace(/([?&]token=)[^&]+/g, '$1…'),
        host: req.hostname,
        remoteAddress: req.ip,
      }),
    },
  },
);

resealWorkerSecrets(db, config).then(
  (n) => n && app.log.info({ secrets: n }, 're-sealed webhook secrets and simulcast keys with the secrets key'),
  (err: Error) => app.log.warn({ err: err.message }, 'could not re-seal older secrets; will retry at the next start'),
);

/** A busy port is a configuration problem: say which variable moves it, and stop. */
async function listenOrExit(what: string, port: number, listen: () => Promise<unknown>) {
  try {
    await listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    app.log.fatal(`port ${port} is already in use: set ${what} to another port`);
    process.exit(1);
  }
}

await listenOrExit('API_PORT', config.api.port, () => app.listen({ host: config.api.host, port: config.api.port }));
let internalServer: Server | undefined;
const inner = config.api.internalListener;
if (inner) {
  await listenOrExit('API_INTERNAL_PORT', inner.port, async () => {
    internalServer = await listenInternal(app, inner.host, inner.port);
  });
  app.log.info({ host: inner.host, port: inner.port }, 'internal endpoints listening on their own port');
}

/** How long requests in flight may take to finish on SIGTERM (Kubernetes allows 30 s by default). */
const SHUTDOWN_GRACE_MS = 10_000;

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    internalServer?.close();
    const cut = setTimeout(() => {
      app.server.closeAllConnections();
      internalServer?.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    await app.close(); // in-flight requests finish before the database goes
    clearTimeout(cut);
    await queues.close();
    redis.disconnect();
    await db.$disconnect();
    process.exit(0);
  });
}
