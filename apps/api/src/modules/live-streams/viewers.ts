// Viewer figures of a live stream (docs/viewers.md): the current count from the edges' Redis
// records, the session's peak, and the 10-second series (Postgres for flushed buckets, Redis for
// the last minutes the worker has not flushed yet).
import { currentViewers, recentBuckets, VIEWER_BUCKET_MS } from '@airwave/jobs';
import { ValidationError } from '@airwave/core';
import type { Redis } from 'ioredis';
import type { LiveStreamRepository } from './repository.js';

/**
 * A viewer is current while it fetched something in the last 6 s: two target durations of a
 * standard stream (2 s segments), plus slack for a player whose reload comes late, so a steady
 * audience does not flicker. LL-HLS players and WebRTC viewers (reported every 2 s) are well inside.
 */
export const VIEWER_ACTIVE_MS = 6_000;
const MAX_SERIES_MS = 24 * 3600 * 1000;

export class StreamViewers {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly repo: LiveStreamRepository,
  ) {}

  /** Current viewers of each stream (0 while Redis cannot answer; 0 without asking for one not live). */
  async current(streams: { playbackId: string; currentSessionId: string | null }[]): Promise<number[]> {
    const live = streams.filter((s) => s.currentSessionId);
    if (live.length === 0) return streams.map(() => 0);
    const counts = await currentViewers(
      this.redis,
      this.prefix,
      live.map((s) => ({ playbackId: s.playbackId, windowMs: VIEWER_ACTIVE_MS })),
    );
    const byId = new Map(live.map((s, i) => [s.playbackId, counts[i]!]));
    return streams.map((s) => byId.get(s.playbackId) ?? 0);
  }

  async series(stream: { id: string; playbackId: string }, fromIso?: string, toIso?: string) {
    const to = toIso ? Date.parse(toIso) : Date.now();
    const from = fromIso ? Date.parse(fromIso) : to - 3600 * 1000;
    if (!(from < to)) throw new ValidationError('`from` must be before `to`', [{ field: 'from', message: 'not before to' }]);
    if (to - from > MAX_SERIES_MS)
      throw new ValidationError('A viewer series spans at most 24 hours', [{ field: 'from', message: 'more than 24 h before to' }]);
    const start = Math.floor(from / VIEWER_BUCKET_MS) * VIEWER_BUCKET_MS;
    const counts = new Map<number, number>();
    for (const s of await this.repo.viewerSamples(stream.id, new Date(start), new Date(to))) counts.set(s.at.getTime(), s.viewers);
    // Not flushed yet (or being counted now): Redis knows better.
    for (const b of await recentBuckets(this.redis, this.prefix, { playbackId: stream.playbackId }, start, to).catch(() => [])) counts.set(b.at, b.viewers);
    const data: { t: string; viewers: number }[] = [];
    for (let t = start; t < to; t += VIEWER_BUCKET_MS) data.push({ t: new Date(t).toISOString(), viewers: counts.get(t) ?? 0 });
    return { liveStreamId: stream.id, bucketSeconds: 10 as const, data };
  }
}
