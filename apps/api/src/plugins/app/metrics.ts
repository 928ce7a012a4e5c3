// Prometheus metrics: request latency by route; storage requests of the playback edge; and, read at
// scrape time, queue depths and the age of their oldest waiting job, live streams by status, and
// whether Postgres and Redis answer. infra/grafana and infra/prometheus/alerts.yml use these names.
import type { Db } from '@airwave/db';
import type { Queues } from '@airwave/jobs';
import { Gauge, Histogram, processRegistry, storageRequests } from '@airwave/metrics';
import type { Storage } from '@airwave/storage';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { dependencyChecks } from '../../lib/dependency-checks.js';

declare module 'fastify' {
  interface FastifyRequest {
    startedAt?: bigint;
  }
}

export default fp(async function metrics(app: FastifyInstance, opts: { queues: Queues; db: Db; redis: Redis; storage: Storage }) {
  // A registry per app instance: tests build many apps in one process.
  const registry = processRegistry();
  opts.storage.observe = storageRequests(registry);
  const latency = new Histogram({
    name: 'airwave_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'airwave_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const depths = await opts.queues.depths().catch(() => ({}) as Record<string, Record<string, number>>);
      for (const [queue, states] of Object.entries(depths)) {
        for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      }
    },
  });

  new Gauge({
    name: 'airwave_queue_oldest_pending_seconds',
    help: 'Age of the oldest job waiting (or waiting for a retry) per queue; 0 when none waits',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const ages = await opts.queues.oldestPendingSeconds().catch(() => ({}) as Record<string, number>);
      for (const [queue, seconds] of Object.entries(ages)) this.set({ queue }, seconds);
    },
  });
  new Gauge({
    name: 'airwave_dependency_up',
    help: 'Whether a dependency answers (1) or not (0), asked the way /readyz asks',
    labelNames: ['dependency'],
    registers: [registry],
    async collect() {
      for (const [dependency, check] of Object.entries(await dependencyChecks(opts.db, opts.redis))) this.set({ dependency }, check === 'ok' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'airwave_live_streams',
    help: 'Live streams by status, installation-wide (every API process reports the same: use max)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await opts.db.liveStream.groupBy({ by: ['status'], where: { deletedAt: null }, _count: { _all: true } }).catch(() => []);
      for (const status of ['idle', 'connected', 'active', 'reconnecting', 'disabled']) this.set({ status }, 0);
      for (const row of rows) this.set({ status: row.status }, row._count._all);
    },
  });

  app.addHook('onRequest', async (request) => {
    request.startedAt = process.hrtime.bigint();
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.startedAt === undefined) return;
    const seconds = Number(process.hrtime.bigint() - request.startedAt) / 1e9;
    const route = request.routeOptions.url ?? 'unmatched';
    latency.observe({ method: request.method, route, status_code: String(reply.statusCode) }, seconds);
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
});
