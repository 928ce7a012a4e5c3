// What an API key may do. `write` is a full-access key (it includes `read` and `playback`); `read`
// sees everything and changes nothing; `playback` only mints playback tokens, for a back end that
// signs viewers in and should hold nothing more.
import { ForbiddenError } from '@airwave/core';

export const SCOPES = ['read', 'write', 'playback'] as const;
export type Scope = (typeof SCOPES)[number];

const IMPLIED: Record<Scope, readonly Scope[]> = { write: ['write', 'read', 'playback'], read: ['read'], playback: ['playback'] };

/** Every scope a key with `granted` holds, implications included. */
export function effectiveScopes(granted: readonly string[]): Set<Scope> {
  return new Set(granted.flatMap((s) => IMPLIED[s as Scope] ?? []));
}

export function requireScope(granted: readonly string[], needed: Scope): void {
  if (!effectiveScopes(granted).has(needed)) {
    throw new ForbiddenError('insufficient_scope', `This API key lacks the "${needed}" scope (it has: ${granted.join(', ') || 'none'})`);
  }
}

/** GET reads; everything else writes, unless the route says otherwise (`config.scope`). */
export const scopeForMethod = (method: string): Scope => (method === 'GET' || method === 'HEAD' ? 'read' : 'write');
