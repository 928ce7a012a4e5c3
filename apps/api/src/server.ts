// The api process: config, dependencies, HTTP server, graceful shutdown.
import { loadConfigOrExit } from '@airwave/config';
import { createDb } from '@airwave/db';
import { createRedis, Queues } from '@airwave/jobs';
import { buildApp } from './app.js';

const config = loadConfigOrExit();
const db = createDb(config.databaseUrl);
const redis = createRedis(config.redis.url, 'producer');
const queues = new Queues(redis, config.redis.prefix);
const app = await buildApp(
  { config, db, redis, queues },
  {
    level: config.logLevel,
    base: { service: 'api' },
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

try {
  await app.listen({ host: config.api.host, port: config.api.port });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') {
    app.log.fatal(`port ${config.api.port} is already in use: set API_PORT to another port`);
    process.exit(1);
  }
  throw err;
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await queues.close();
    redis.disconnect();
    await db.$disconnect();
    process.exit(0);
  });
}
