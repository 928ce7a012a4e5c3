// Messages between the API, ingest nodes and workers about live sessions, over Redis pub/sub.
// `stop-session`: the API ended a session (disable, delete, complete): the ingest holding it drops
// the publisher and workers stop transcoding it. `publish-stopped`: the encoder left (the session may
// still resume): workers stop their ffmpeg. Heartbeats answer `keep: false` for an ended session
// too, so a missed message is caught within 5 s.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ingestControlChannel = (prefix: string) => `${prefix}:session-control`;

export interface StopSessionMessage {
  type: 'stop-session';
  sessionId: string;
  ingestNodeId: string;
  reason: string;
}

export interface PublishStoppedMessage {
  type: 'publish-stopped';
  sessionId: string;
}

export type SessionControlMessage = StopSessionMessage | PublishStoppedMessage;

/** How long a pull token opens a session: a worker mints a fresh one for every connection. */
export const PULL_TOKEN_TTL_SECONDS = 60;

const pullSignature = (internalToken: string, sessionId: string, expires: number) =>
  createHmac('sha256', internalToken).update(`pull:${sessionId}:${expires}`).digest('base64url').slice(0, 32);

/**
 * Workers pull a live session from the ingest by its session id, never by stream key, with this
 * short-lived token (`<expiry, unix s>.<HMAC>`); nobody else may play from an ingest. It travels only
 * inside the worker's own RTMP connection, never on a command line (packages/ffmpeg/src/session-pull.ts).
 */
export function ingestPullToken(internalToken: string, sessionId: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + PULL_TOKEN_TTL_SECONDS;
  return `${expires}.${pullSignature(internalToken, sessionId, expires)}`;
}

export function verifyIngestPullToken(internalToken: string, sessionId: string, token: unknown, now = Date.now()): boolean {
  if (typeof token !== 'string') return false;
  const [exp, sig] = token.split('.');
  const expires = Number(exp);
  if (!Number.isInteger(expires) || !sig || expires < now / 1000 || expires > now / 1000 + PULL_TOKEN_TTL_SECONDS + 5) return false;
  const expected = Buffer.from(pullSignature(internalToken, sessionId, expires));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
