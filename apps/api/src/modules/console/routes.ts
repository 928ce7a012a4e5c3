// The web console (apps/console, built by `npm run console:build`) served at /console/. It is a
// static client of the public API: the API key stays in the browser and every call goes to /v1.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../../plugins/app/error-handler.js';

const dist = fileURLToPath(new URL('../../../../console/dist/', import.meta.url));

export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  app.get('/console', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console/'));
  if (!existsSync(`${dist}index.html`)) {
    app.get('/console/*', { schema: { hide: true } }, async (_req, reply) =>
      sendError(reply, 503, 'console_not_built', 'The console is not built: run `npm run console:build` (npm run up and npm test do).'),
    );
    return;
  }
  // Hashed assets never change; index.html is revalidated so a new build shows up at once.
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/console/',
    index: 'index.html',
    cacheControl: false,
    setHeaders: (res, file) => res.header('cache-control', file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
  });
}
