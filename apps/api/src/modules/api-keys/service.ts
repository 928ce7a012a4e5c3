// API keys as a resource. The secret is shown once (only its SHA-256 is kept); a key can grant only
// what it holds itself, and the project always keeps a key that can write, so nobody locks
// themselves out by deleting the key they are using.
import {
  ConflictError,
  type CursorCodec,
  displayPrefix,
  ForbiddenError,
  generateApiKey,
  keysetAfter,
  newestFirst,
  newId,
  NotFoundError,
  paginate,
  type PageRequest,
  sha256Hex,
} from '@airwave/core';
import type { ApiKey, Db } from '@airwave/db';
import { effectiveScopes, type Scope } from './scopes.js';

export interface Caller {
  projectId: string;
  keyId: string;
  scopes: readonly string[];
}

export const presentApiKey = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes as Scope[],
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
});

export class ApiKeyService {
  constructor(
    private readonly db: Db,
    private readonly cursors: CursorCodec,
    /** Called with a deleted key's hash so this process stops accepting it at once. */
    private readonly onRevoked: (hash: string) => void,
  ) {}

  async create(caller: Caller, body: { name: string; scopes: Scope[] }) {
    const held = effectiveScopes(caller.scopes);
    const missing = body.scopes.filter((s) => !held.has(s));
    if (missing.length) throw new ForbiddenError('insufficient_scope', `A key cannot grant scopes it does not hold: ${missing.join(', ')}`);
    const secret = generateApiKey();
    const key = await this.db.apiKey.create({
      data: {
        id: newId('apiKey'),
        projectId: caller.projectId,
        name: body.name,
        scopes: [...new Set(body.scopes)],
        prefix: displayPrefix(secret),
        hash: sha256Hex(secret),
      },
    });
    return { ...presentApiKey(key), secret };
  }

  list(projectId: string, q: PageRequest) {
    return paginate(
      this.cursors,
      `api-keys:${projectId}`,
      q,
      (take, after) => this.db.apiKey.findMany({ where: { projectId, revokedAt: null, ...keysetAfter(after) }, orderBy: newestFirst, take }),
      presentApiKey,
    );
  }

  async get(projectId: string, id: string): Promise<ApiKey> {
    const key = await this.db.apiKey.findFirst({ where: { id, projectId, revokedAt: null } });
    if (!key) throw new NotFoundError('API key');
    return key;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const hash = await this.db.$transaction(async (tx) => {
      // The project row is the lock: two keys deleting each other at once cannot both succeed.
      await tx.$executeRaw`SELECT 1 FROM "Project" WHERE id = ${caller.projectId} FOR UPDATE`;
      const key = await tx.apiKey.findFirst({ where: { id, projectId: caller.projectId, revokedAt: null } });
      if (!key) throw new NotFoundError('API key');
      if (key.id === caller.keyId) {
        const others = await tx.apiKey.count({ where: { projectId: caller.projectId, revokedAt: null, id: { not: key.id }, scopes: { has: 'write' } } });
        if (others === 0) {
          throw new ConflictError('last_write_key', 'This is the key making the request and the project has no other write key: create one first');
        }
      }
      await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
      return key.hash;
    });
    this.onRevoked(hash);
  }
}
