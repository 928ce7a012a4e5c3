// Internal endpoints (ingest hooks, the CDN's auth_request) on a listener of their own, when
// API_INTERNAL_PORT is set: the public port then answers 404 for /internal/*, as if they did not
// exist, and the internal port serves nothing public. The INTERNAL_TOKEN is still required there;
// the port is a second wall (a ClusterIP-only Service, a private network), not a replacement.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sendError } from './error-handler.js';

const viaInternalListener = Symbol('airwave.viaInternalListener');
type Tagged = IncomingMessage & { [viaInternalListener]?: true };

/** Probes and metrics answer on both listeners (Kubernetes and Prometheus may use either). */
const EITHER = new Set(['/healthz', '/readyz', '/metrics']);

export default fp<{ separate: boolean }>(async function internalListener(app: FastifyInstance, { separate }) {
  if (!separate) return;
  app.addHook('onRequest', async (request, reply) => {
    // The route that matched, not the raw URL: the router decodes `/%69nternal/…` to an internal route.
    const route = request.routeOptions.url;
    if (route === undefined || EITHER.has(route)) return; // unmatched: the ordinary 404
    const internalRoute = route.startsWith('/internal/');
    const internalListener = (request.raw as Tagged)[viaInternalListener] === true;
    if (internalRoute !== internalListener) return sendError(reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`);
  });
});

/** The second HTTP server: the same Fastify routing, with requests marked as internal. */
export async function listenInternal(app: FastifyInstance, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    (req as Tagged)[viaInternalListener] = true;
    app.routing(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
