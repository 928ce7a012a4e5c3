// Playback tokens (JWT): `sub` = playback id, `aud` = `v` (video) or `t` (thumbnail), `exp`.
// Developers sign them with a project signing key (RS256, `kid` = the key's id, private half shown
// once); Airwave signs its own short-lived ones (console preview, POST /v1/playback-tokens) with an
// HMAC secret from PLAYBACK_SIGNING_KEY under the reserved kid `airwave`.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ForbiddenError } from '@airwave/core';
import type { Db } from '@airwave/db';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { TtlCache } from '../../lib/ttl-cache.js';

export type Audience = 'v' | 't';
export const SYSTEM_KID = 'airwave';

export interface TokenScope {
  projectId: string;
  /** Playback ids the token may name: a recording also plays with its live stream's token. */
  playbackIds: string[];
  audience: Audience;
}

/** A deleted key stops working within this long on every API process. */
const KEY_CACHE_MS = 5_000;

export class PlaybackTokens {
  private readonly secret: Uint8Array;
  private readonly keys = new TtlCache<string, { projectId: string; key: KeyObject } | null>(KEY_CACHE_MS, 10_000);

  constructor(
    private readonly db: Db,
    signingSecret: string,
  ) {
    this.secret = new TextEncoder().encode(signingSecret);
  }

  /** A token Airwave signs itself, for the owner of a stream (the API checked who asks). */
  async mint(playbackId: string, audience: Audience, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: SYSTEM_KID })
      .setSubject(playbackId)
      .setAudience(audience)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.secret);
    return { token, expiresAt };
  }

  /**
   * Throws a 403 naming what is wrong; never says more than the viewer needs to fix it. Answers the
   * token's `sid` claim (the developer's playback session id), which counts the viewer.
   */
  async verify(token: string | undefined, scope: TokenScope): Promise<{ sid?: string }> {
    if (!token) throw new ForbiddenError('playback_token_required', 'This playback id is signed: pass a playback token as ?token=');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keyFor(header, scope.projectId), {
        algorithms: ['RS256', 'HS256'],
        audience: scope.audience,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new ForbiddenError('playback_token_expired', 'The playback token has expired');
      if (err instanceof ForbiddenError) throw err;
      throw new ForbiddenError('playback_token_invalid', 'The playback token is not valid for this content');
    }
    if (!payload.sub || !scope.playbackIds.includes(payload.sub)) {
      throw new ForbiddenError('playback_token_invalid', 'The playback token is not valid for this content');
    }
    return typeof payload.sid === 'string' && payload.sid.length > 0 ? { sid: payload.sid.slice(0, 128) } : {};
  }

  /** The key a token names, only if it belongs to the content's project and fits the algorithm. */
  private async keyFor(header: JWTHeaderParameters, projectId: string): Promise<KeyObject | Uint8Array> {
    const invalid = new ForbiddenError('playback_token_invalid', 'The playback token is not valid for this content');
    if (header.kid === SYSTEM_KID) {
      // Pinning the algorithm per key kind rules out RS/HS confusion.
      if (header.alg !== 'HS256') throw invalid;
      return this.secret;
    }
    if (header.alg !== 'RS256' || typeof header.kid !== 'string' || !/^sk_[0-9A-Za-z]{22}$/.test(header.kid)) throw invalid;
    const kid = header.kid;
    const entry = await this.keys.get(kid, async () => {
      const row = await this.db.signingKey.findUnique({ where: { id: kid } });
      return row && !row.deletedAt ? { projectId: row.projectId, key: createPublicKey(row.publicKeyPem) } : null;
    });
    if (!entry || entry.projectId !== projectId) throw invalid;
    return entry.key;
  }

  /** Forget a key at once on this process (the others notice within KEY_CACHE_MS). */
  forget(kid: string): void {
    this.keys.delete(kid);
  }
}
