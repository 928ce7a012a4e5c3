// Playback signing keys. The key pair is generated here; the private half is returned once and never
// stored, so a leaked database cannot mint tokens. Deleting a key revokes every token it signed.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { type CursorCodec, keysetAfter, newestFirst, newId, NotFoundError, paginate, type PageRequest } from '@airwave/core';
import type { Db, SigningKey } from '@airwave/db';
import type { Audience, PlaybackTokens } from '../playback/tokens.js';

const generate = promisify(generateKeyPair);

export const presentSigningKey = (k: SigningKey) => ({ id: k.id, createdAt: k.createdAt.toISOString() });

export class SigningKeyService {
  constructor(
    private readonly db: Db,
    private readonly tokens: PlaybackTokens,
    private readonly cursors: CursorCodec,
  ) {}

  async create(projectId: string) {
    const { publicKey, privateKey } = await generate('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const key = await this.db.signingKey.create({ data: { id: newId('signingKey'), projectId, publicKeyPem: publicKey } });
    return { ...presentSigningKey(key), privateKey, algorithm: 'RS256' as const };
  }

  list(projectId: string, q: PageRequest) {
    return paginate(
      this.cursors,
      `signing-keys:${projectId}`,
      q,
      (take, after) => this.db.signingKey.findMany({ where: { projectId, deletedAt: null, ...keysetAfter(after) }, orderBy: newestFirst, take }),
      presentSigningKey,
    );
  }

  async get(projectId: string, id: string): Promise<SigningKey> {
    const key = await this.db.signingKey.findFirst({ where: { id, projectId, deletedAt: null } });
    if (!key) throw new NotFoundError('Signing key');
    return key;
  }

  async delete(projectId: string, id: string): Promise<void> {
    const key = await this.get(projectId, id);
    await this.db.signingKey.update({ where: { id: key.id }, data: { deletedAt: new Date() } });
    this.tokens.forget(key.id);
  }

  /**
   * A short-lived token signed by Airwave for content the project owns: for a quick test, a
   * back end without a JWT library, or the console's preview.
   */
  async mintToken(projectId: string, playbackId: string, audience: Audience, ttlSeconds: number) {
    const [stream, asset] = await Promise.all([
      this.db.liveStream.findFirst({ where: { projectId, playbackId, deletedAt: null }, select: { id: true } }),
      this.db.asset.findFirst({ where: { projectId, playbackId, deletedAt: null }, select: { id: true } }),
    ]);
    if (!stream && !asset) throw new NotFoundError('Playback id');
    const { token, expiresAt } = await this.tokens.mint(playbackId, audience, ttlSeconds);
    return { token, playbackId, audience, expiresAt: expiresAt.toISOString() };
  }
}
