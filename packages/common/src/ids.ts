import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Random base62 string; 22 characters carry 130 bits. */
export function randomBase62(length = 22): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely (248 = 4 * 62).
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out.length === length ? out : out + randomBase62(length - out.length);
}

/** Resource ids read like Stripe's: the prefix says what the id is (`ls_…` is a live stream). */
export const idPrefixes = {
  project: 'prj',
  apiKey: 'key',
  liveStream: 'ls',
  session: 'lss',
  asset: 'as',
  simulcastTarget: 'st',
  webhook: 'wh',
  delivery: 'whd',
  event: 'msg',
  idempotency: 'idem',
  signingKey: 'sk',
  outbox: 'obx',
} as const;

export type IdKind = keyof typeof idPrefixes;

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${randomBase62()}`;
}

/** Playback ids appear in public URLs, so they are long and carry no prefix that names the tenant. */
export function newPlaybackId(): string {
  return randomBase62(32);
}

/**
 * The recording of a session has an id derived from the session's, so every run of the session (a
 * retry, another worker, a reconnect) writes its segments under the same `vod/<assetId>/` before the
 * asset row exists.
 */
export function recordingAssetId(sessionId: string): string {
  const digest = createHash('sha256').update(`recording:${sessionId}`).digest();
  let out = '';
  for (let i = 0; out.length < 22; i++) out += ALPHABET[digest[i % digest.length]! % 62];
  return `${idPrefixes.asset}_${out}`;
}
