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
    const path = request.url.split('?')[0]!;
    if (EITHER.has(path)) return;
    const internalPath = path === '/internal' || path.startsWith('/internal/');
    const internalListener = (request.raw as Tagged)[viaInternalListener] === true;
    if (internalPath !== internalListener) return sendError(reply, 404, 'not_found', `No route for ${request.method} ${path}`);
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
