// Bearer API keys. A key is looked up by its SHA-256 (the only form stored), so the lookup time does
// not depend on how much of a guess is right; every failure answers the same 401.
import { safeEqual, sha256Hex, UnauthorizedError, API_KEY_PREFIX } from '@airwave/core';
import type { Db } from '@airwave/db';
import type { FastifyRequest } from 'fastify';
import { TtlCache } from '../../lib/ttl-cache.js';
import { requireScope, type Scope, scopeForMethod } from '../../modules/api-keys/scopes.js';
import type { Caller } from '../../modules/api-keys/service.js';

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
    /** The API key making the request. */
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** The scope this route needs when it is not the method's (GET: read, others: write). */
    scope?: Scope;
  }
}

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;
/** lastUsedAt is written at most this often per key, so a busy key costs no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token.trim() : undefined;
}

/** Resolves API keys to projects, with a short cache so a burst of requests costs one query. */
export class ApiKeyAuthenticator {
  private readonly cache = new TtlCache<string, Caller | null>(CACHE_TTL_MS, CACHE_MAX);

  constructor(private readonly db: Db) {}

  /** Who is calling, and may they call this route: 401 for an unknown key, 403 for a missing scope. */
  async authenticate(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request);
    if (!token || !token.startsWith(API_KEY_PREFIX) || token.length > 200) throw new UnauthorizedError();
    const hash = sha256Hex(token);
    const caller = await this.cache.get(hash, async () => {
      const key = await this.db.apiKey.findUnique({ where: { hash } });
      if (!key || key.revokedAt || !safeEqual(key.hash, hash)) return null;
      if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        this.db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
      }
      return { projectId: key.projectId, keyId: key.id, scopes: key.scopes };
    });
    if (!caller) throw new UnauthorizedError();
    request.projectId = caller.projectId;
    request.caller = caller;
    requireScope(caller.scopes, request.routeOptions.config?.scope ?? scopeForMethod(request.method));
  }

  /** A revoked key stops working in this process at once (elsewhere within the cache's TTL). */
  forget(hash: string): void {
    this.cache.delete(hash);
  }
}

/** Internal endpoints (ingest → api) use the shared INTERNAL_TOKEN. */
export function checkInternalToken(request: FastifyRequest, expected: string): void {
  const token = bearerToken(request);
  if (!token || !safeEqual(sha256Hex(token), sha256Hex(expected))) throw new UnauthorizedError('Invalid internal token');
}
