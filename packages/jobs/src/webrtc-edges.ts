// WebRTC edges (apps/edge) and the API's WHEP entry point meet here. Each edge writes its load to a
// Redis hash every few seconds; the API reads it to send a viewer (307) to an edge with room,
// preferring one that already carries the stream (one transcode per stream per edge). The viewer
// arrives with a ticket the API sealed: the edge needs no database and trusts nothing else.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export const webrtcEdgesKey = (prefix: string) => `${prefix}:webrtc-edges`;

/** An edge that has not written for this long is gone (crashed, partitioned). */
export const EDGE_STALE_MS = 10_000;
export const EDGE_REPORT_MS = 2_000;

export interface EdgeLoad {
  id: string;
  /** Public base URL viewers are sent to, e.g. https://edge-1.example.com */
  url: string;
  viewers: number;
  maxViewers: number;
  /** Sessions this edge is fanning out now. */
  sessions: string[];
  at: number;
}

export async function reportEdgeLoad(redis: Redis, prefix: string, load: EdgeLoad): Promise<void> {
  await redis.hset(webrtcEdgesKey(prefix), load.id, JSON.stringify(load));
}

export async function removeEdge(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.hdel(webrtcEdgesKey(prefix), id);
}

export async function liveEdges(redis: Redis, prefix: string, now = Date.now()): Promise<EdgeLoad[]> {
  const all = await redis.hgetall(webrtcEdgesKey(prefix));
  const edges: EdgeLoad[] = [];
  const stale: string[] = [];
  for (const [id, raw] of Object.entries(all)) {
    try {
      const load = JSON.parse(raw) as EdgeLoad;
      if (now - load.at <= EDGE_STALE_MS) edges.push(load);
      else if (now - load.at > 6 * EDGE_STALE_MS) stale.push(id);
    } catch {
      stale.push(id);
    }
  }
  if (stale.length) await redis.hdel(webrtcEdgesKey(prefix), ...stale);
  return edges;
}

/**
 * The edge for a new viewer of `sessionId`: one already carrying it with room, else the one with
 * the most room; undefined when every edge is full (or none runs).
 */
export function pickEdge(edges: EdgeLoad[], sessionId: string): EdgeLoad | undefined {
  const open = edges.filter((e) => e.viewers < e.maxViewers);
  const room = (e: EdgeLoad) => e.maxViewers - e.viewers;
  const carrying = open.filter((e) => e.sessions.includes(sessionId)).sort((a, b) => room(b) - room(a));
  return carrying[0] ?? open.sort((a, b) => room(b) - room(a))[0];
}

/** What the API tells an edge about the stream a viewer may watch. */
export interface WhepTicket {
  playbackId: string;
  sessionId: string;
  /** rtmp://<ingest>/live — where the session is pulled from (as workers do). */
  ingestAddress: string;
  video: boolean;
  audio: boolean;
  /** The source reorders frames (B-frames): WebRTC needs it re-encoded without. Unknown: re-encode. */
  bFrames?: boolean;
  fps?: number;
  /** Unix seconds. */
  exp: number;
}

export const WHEP_TICKET_TTL_SECONDS = 30;

// AES-256-GCM: the viewer carries the ticket in a URL, so it is sealed, not only signed (it names an
// internal ingest address); the GCM tag authenticates it.
const ticketKey = (internalToken: string) => createHash('sha256').update(`whep-ticket:${internalToken}`).digest();

export function signWhepTicket(internalToken: string, t: Omit<WhepTicket, 'exp'>, now = Date.now()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ticketKey(internalToken), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify({ ...t, exp: Math.floor(now / 1000) + WHEP_TICKET_TTL_SECONDS })), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function verifyWhepTicket(internalToken: string, ticket: unknown, now = Date.now()): WhepTicket | undefined {
  if (typeof ticket !== 'string' || ticket.length > 4096) return undefined;
  const raw = Buffer.from(ticket, 'base64url');
  if (raw.length < 29) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', ticketKey(internalToken), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const t = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as WhepTicket;
    return typeof t.exp === 'number' && t.exp >= now / 1000 ? t : undefined;
  } catch {
    return undefined; // forged, truncated, or for another deployment
  }
}
