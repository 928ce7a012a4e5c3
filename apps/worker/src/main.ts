// The worker process: consumes every queue, relays the outbox, sweeps, stops cleanly on SIGINT/SIGTERM.
import { loadConfigOrExit, loggerOptions } from '@airwave/config';
import { createDb } from '@airwave/db';
import { createRedis, Queues } from '@airwave/jobs';
import { pino } from 'pino';
import { OutboxRelay, publicUrls } from '@airwave/core';
import type { WorkerContext } from './context.js';
import { startOwnership } from './takeover.js';
import { startSweepers } from './sweepers.js';
import { SessionControl } from './session-control.js';
import { startWorkers } from './workers.js';
import { Storage } from '@airwave/storage';
import { startMetrics } from '@airwave/metrics';
import { registry, workerMetrics } from './metrics.js';

const config = loadConfigOrExit(process.env, 'worker');
const log = pino(loggerOptions(config, { service: 'worker' }));
const db = createDb(config.databaseUrl);
const connection = createRedis(config.redis.url, 'worker');
const queues = new Queues(connection, config.redis.prefix);
const control = new SessionControl();
await control.start(config.redis.url, config.redis.prefix);
const storage = Storage.fromConfig(config);
storage.observe = workerMetrics.observeStorage;
const ownership = await startOwnership({ config, db, queues, log });
const ctx: WorkerContext = { config, db, queues, urls: publicUrls(config), log, storage, control, ownership };

const workers = startWorkers(ctx, connection);
const stopSweeper = startSweepers(ctx);
// Effects the worker's own transitions commit, and the API's if no API is up to relay them.
const outbox = new OutboxRelay(db, config.databaseUrl, queues, connection, config.redis.prefix, log);
outbox.start();
await startMetrics(registry, config.metrics, log);
log.info({ queues: workers.map((w) => w.name) }, 'worker started');

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing active jobs');
    stopSweeper();
    await outbox.stop();
    control.stopAll();
    await Promise.all(workers.map((w) => w.close()));
    await ctx.ownership.stop();
    control.close();
    await queues.close();
    connection.disconnect();
    await db.$disconnect();
    process.exit(0);
  });
}
