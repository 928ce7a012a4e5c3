// LL-HLS blocking playlist reload (RFC 8216bis §6.2.5.2): `?_HLS_msn=M[&_HLS_part=P]` holds the
// request until the playlist has that segment (or part) or a later one, so a player learns of each
// part the moment it exists instead of polling. Bounded: three target durations, then 503.
import { AppError, ServiceUnavailableError, ValidationError } from '@airwave/core';
import HLS from './hls-parser.js';
import type { StoredObject } from '@airwave/storage';
import type { OriginReader, PlaylistRead } from './origin-reader.js';

export interface ReloadRequest {
  msn: number;
  part?: number;
}

/** The delivery directives of a playlist request, or undefined when it has none; 400 for malformed ones. */
export function reloadRequest(query: Record<string, unknown>): ReloadRequest | undefined {
  const msn = query._HLS_msn;
  const part = query._HLS_part;
  if (msn === undefined) {
    if (part !== undefined) throw new ValidationError('_HLS_part needs _HLS_msn');
    return undefined;
  }
  const n = Number(msn);
  const p = part === undefined ? undefined : Number(part);
  if (!Number.isInteger(n) || n < 0 || (p !== undefined && (!Number.isInteger(p) || p < 0)))
    throw new ValidationError('_HLS_msn and _HLS_part must be whole numbers');
  return { msn: n, part: p };
}

interface Progress {
  /** Media sequence number of the newest segment listed (complete or being written). */
  lastMsn: number;
  satisfied: boolean;
  targetDuration: number;
  blocking: boolean;
}

/** Parsed once per shared read, however many players wait on it. */
const parsedReads = new WeakMap<PlaylistRead, HLS.types.MasterPlaylist | HLS.types.MediaPlaylist>();
function parsedOf(read: PlaylistRead): HLS.types.MasterPlaylist | HLS.types.MediaPlaylist {
  let parsed = parsedReads.get(read);
  if (!parsed) parsedReads.set(read, (parsed = HLS.parse(read.text)));
  return parsed;
}

function progress(read: PlaylistRead, want: ReloadRequest): Progress {
  const parsed = parsedOf(read);
  if (parsed.isMasterPlaylist) return { lastMsn: 0, satisfied: true, targetDuration: 1, blocking: false };
  const base = parsed.mediaSequenceBase ?? 0;
  let satisfied = parsed.endlist;
  parsed.segments.forEach((s, i) => {
    const msn = base + i;
    const parts = s.parts.filter((p) => !p.hint).length;
    if (msn > want.msn && (s.uri || parts > 0)) satisfied = true;
    if (msn === want.msn && (s.uri || (want.part !== undefined && parts > want.part))) satisfied = true;
  });
  return {
    lastMsn: base + parsed.segments.length - 1,
    satisfied,
    targetDuration: parsed.targetDuration,
    blocking: Boolean(parsed.lowLatencyCompatibility?.canBlockReload),
  };
}

const POLL_MS = 50;

/**
 * The playlist once it satisfies the request. Every waiting player of a rendition shares one read
 * of the origin per poll (OriginReader.playlistShared).
 */
export async function awaitPlaylist(origin: OriginReader, key: string, want: ReloadRequest): Promise<PlaylistRead | undefined> {
  let read = await origin.playlistShared(key, POLL_MS);
  if (!read) return undefined;
  const first = progress(read, want);
  if (!first.blocking) return read; // not an LL-HLS playlist: directives are ignored (§6.2.5.2)
  if (want.msn > first.lastMsn + 2)
    throw new AppError(400, 'validation_failed', `_HLS_msn ${want.msn} is more than two segments past the live edge (${first.lastMsn})`);
  const deadline = Date.now() + Math.max(3, first.targetDuration * 3) * 1000;
  let now = first;
  while (!now.satisfied) {
    if (Date.now() > deadline) throw new ServiceUnavailableError('The requested segment or part did not appear in time');
    await new Promise((r) => setTimeout(r, POLL_MS));
    read = await origin.playlistShared(key, POLL_MS);
    if (!read) return undefined;
    now = progress(read, want);
  }
  return read;
}

/** How long a request for a part not written yet (a preload hint) is held: a few part lengths. */
const PART_WAIT_MS = 1_500;

/** A part, once it exists (RFC 8216bis §6.2.6: hinted resources are requested before they are complete). */
export async function awaitPart(origin: OriginReader, key: string, range?: string): Promise<StoredObject | undefined> {
  const obj = await origin.media(key, range);
  if (obj) return obj;
  return (await origin.whenExists(key, PART_WAIT_MS, POLL_MS)) ? origin.media(key, range) : undefined;
}
