// API keys, stream keys and secrets at rest. Keys are ≥ 128 random bits, URL-safe and prefixed so a
// leaked one is greppable; only their SHA-256 is looked up; a log line shows the prefix alone.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'aw_sk_';
export const STREAM_KEY_PREFIX = 'aw_live_';

const randomToken = (bytes: number) => randomBytes(bytes).toString('base64url');

/** 256 bits after the prefix. */
export const generateApiKey = () => `${API_KEY_PREFIX}${randomToken(32)}`;
/** 192 bits after the prefix: still ≥ 128, and short enough to type into a hardware encoder. */
export const generateStreamKey = () => `${STREAM_KEY_PREFIX}${randomToken(24)}`;
/** Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export const generateWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * What a worker publishes a pulled source with instead of the stream key (workers never hold the
 * stream-key encryption key): `aw_pull_<streamId>-<exp>-<HMAC-SHA256 with INTERNAL_TOKEN>`, valid
 * for a few minutes, accepted only for a stream whose input is a pull (IngestHookService). Only
 * `[A-Za-z0-9_-]`: RTMP servers refuse other characters in a stream name.
 */
export const PULL_KEY_PREFIX = 'aw_pull_';
const pullMac = (internalToken: string, streamId: string, exp: number) =>
  createHmac('sha256', `pull-publish:${internalToken}`).update(`${streamId}-${exp}`).digest('base64url');

export function signPullPublishKey(internalToken: string, streamId: string, ttlSeconds = 300, now = Date.now()): string {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  return `${PULL_KEY_PREFIX}${streamId}-${exp}-${pullMac(internalToken, streamId, exp)}`;
}

/** The stream a pull publish key names, when it is genuine and unexpired. */
export function verifyPullPublishKey(internalToken: string, key: string, now = Date.now()): string | undefined {
  if (!key.startsWith(PULL_KEY_PREFIX)) return undefined;
  // Ids and the expiry have no '-'; the MAC (base64url) may.
  const [streamId, expText, ...macParts] = key.slice(PULL_KEY_PREFIX.length).split('-');
  const mac = macParts.join('-');
  const exp = Number(expText);
  if (!streamId || !mac || !Number.isInteger(exp) || exp * 1000 < now) return undefined;
  return safeEqual(mac, pullMac(internalToken, streamId, exp)) ? streamId : undefined;
}

/** Constant-time comparison of two hex digests (or any two strings of equal meaning). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** What a log line or a dashboard may show of a key: its prefix and four characters. */
export function displayPrefix(key: string): string {
  const prefixEnd = key.startsWith(STREAM_KEY_PREFIX)
    ? STREAM_KEY_PREFIX.length
    : key.startsWith(PULL_KEY_PREFIX)
      ? PULL_KEY_PREFIX.length
      : key.startsWith(API_KEY_PREFIX)
        ? API_KEY_PREFIX.length
        : 0;
  return `${key.slice(0, prefixEnd + 4)}…`;
}

/**
 * Which key sealed a secret: `v1` the API's stream-key key (stream keys, idempotent answers), `s1`
 * the secrets key workers also hold (webhook secrets, simulcast destination keys).
 */
export type SealVersion = 'v1' | 's1';

/** AES-256-GCM; the output is `<version>.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(plain: string, key: Buffer, version: SealVersion = 'v1'): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [version, iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

const opened = new WeakMap<Buffer, Map<string, string>>();
const OPENED_MAX = 10_000;

/**
 * decryptSecret with a bounded memo per key: the owner's views show every stream's key, a page of
 * 100 is read many times a second, and AES-GCM's set-up was a tenth of a list request's CPU.
 */
export function decryptSecretCached(sealed: string, key: Buffer): string {
  let memo = opened.get(key);
  if (!memo) opened.set(key, (memo = new Map()));
  const hit = memo.get(sealed);
  if (hit !== undefined) return hit;
  const plain = decryptSecret(sealed, key);
  if (memo.size >= OPENED_MAX) memo.delete(memo.keys().next().value!);
  memo.set(sealed, plain);
  return plain;
}

export function decryptSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if ((version !== 'v1' && version !== 's1') || !iv || !tag || ct === undefined) throw new Error('unrecognised sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
