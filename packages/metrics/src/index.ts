// Prometheus exposition for the processes without an HTTP API of their own (worker, ingest): Node's
// default metrics plus the process's own, served at GET /metrics on METRICS_HOST:METRICS_PORT.
// Every metric name the dashboard and the alerts use is checked against what these expose
// (test/e2e/observability.test.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export function serveMetrics(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.unref();
      resolve({ port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

interface Log {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Serves /metrics, or logs why not: metrics are not worth refusing to work over (a port in use). */
export async function startMetrics(registry: Registry, where: { host: string; port: number }, log: Log): Promise<MetricsServer | undefined> {
  try {
    const server = await serveMetrics(registry, where.host, where.port);
    log.info({ url: `http://${where.host}:${server.port}/metrics` }, 'metrics listening');
    return server;
  } catch (err) {
    log.error({ err: (err as Error).message, port: where.port }, 'metrics are off: set METRICS_PORT to a free port');
    return undefined;
  }
}

/** Seconds-scale buckets for storage requests and other network calls. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * S3 requests by command and outcome, retries included (`Storage.observe`): upload latency and
 * failing uploads on the dashboard, the "uploads failing" alert.
 */
export function storageRequests(registry: Registry) {
  const histogram = new Histogram({
    name: 'airwave_storage_request_duration_seconds',
    help: 'S3 requests by command (PutObject, GetObject, …) and outcome (ok, not_found, error), retries included',
    labelNames: ['command', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return (command: string, seconds: number, outcome: string) => histogram.observe({ command, outcome }, seconds);
}
