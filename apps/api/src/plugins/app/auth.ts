// Bearer API keys. A key is looked up by its SHA-256 (the only form stored), so the lookup time does
// not depend on how much of a guess is right; every failure answers the same 401.
import { safeEqual, sha256Hex, UnauthorizedError, API_KEY_PREFIX } from '@airwave/core';
import type { Db } from '@airwave/db';
import type { FastifyRequest } from 'fastify';
import { TtlCache } from '../../lib/ttl-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
  }
}

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token.trim() : undefined;
}

/** Resolves API keys to projects, with a short cache so a burst of requests costs one query. */
export class ApiKeyAuthenticator {
  private readonly cache = new TtlCache<string, string | null>(CACHE_TTL_MS, CACHE_MAX);

  constructor(private readonly db: Db) {}

  async authenticate(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request);
    if (!token || !token.startsWith(API_KEY_PREFIX) || token.length > 200) throw new UnauthorizedError();
    const hash = sha256Hex(token);
    const projectId = await this.cache.get(hash, async () => {
      const key = await this.db.apiKey.findUnique({ where: { hash } });
      return key && !key.revokedAt && safeEqual(key.hash, hash) ? key.projectId : null;
    });
    if (!projectId) throw new UnauthorizedError();
    request.projectId = projectId;
  }
}

/** Internal endpoints (ingest → api) use the shared INTERNAL_TOKEN. */
export function checkInternalToken(request: FastifyRequest, expected: string): void {
  const token = bearerToken(request);
  if (!token || !safeEqual(sha256Hex(token), sha256Hex(expected))) throw new UnauthorizedError('Invalid internal token');
}
