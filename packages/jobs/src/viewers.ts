// Viewer counting in Redis, written by the playback edges (HLS /cdn and the CDN's auth_request, the
// WebRTC edge) and read by the API; the worker flushes finished 10-second buckets to Postgres.
//
// - live viewers of a stream: a sorted set playbackId → {viewer: last request, ms}; a viewer is
//   current while its last request is younger than the stream's activity window;
// - per 10 s bucket: the set of viewers active in it (the time series, the session's peak);
// - per asset: the set of viewers that fetched media in each bucket (watch time: 10 s per viewer
//   and bucket), and a HyperLogLog of every viewer (views).
// Recording is pipelined and never awaited by a request: counting cannot slow playback, and a Redis
// outage loses counts, not viewers.
import type { Redis } from 'ioredis';

export const VIEWER_BUCKET_MS = 10_000;
/** Buckets stay in Redis this long: the flusher (every minute) sees each one several times. */
const BUCKET_TTL_SECONDS = 15 * 60;
/** The views HyperLogLog of an asset outlives any flush gap (12 KB at most per asset). */
const VIEWS_TTL_SECONDS = 400 * 24 * 3600;

const k = {
  live: (p: string, playbackId: string) => `${p}:viewers:live:${playbackId}`,
  bucket: (p: string, playbackId: string, b: number) => `${p}:viewers:b:${playbackId}:${b}`,
  assetBucket: (p: string, assetId: string, b: number) => `${p}:viewers:ab:${assetId}:${b}`,
  views: (p: string, assetId: string) => `${p}:viewers:views:${assetId}`,
  dirty: (p: string) => `${p}:viewers:dirty`,
};

export const bucketOf = (ms: number) => Math.floor(ms / VIEWER_BUCKET_MS) * VIEWER_BUCKET_MS;

export interface ViewerHit {
  viewer: string;
  /** A live stream's request (its playlists, or media of an unrecorded broadcast). */
  playbackId?: string;
  /** A recording's media (a segment or part, live or on demand): counts toward its views and watch time. */
  assetId?: string;
  at?: number;
}

export class ViewerRecorder {
  /** (target, bucket) pairs this process already marked dirty and set to expire. */
  private marked = new Set<string>();
  private markedBucket = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  record(hit: ViewerHit): void {
    const at = hit.at ?? Date.now();
    const b = bucketOf(at);
    if (b !== this.markedBucket) {
      this.marked.clear();
      this.markedBucket = b;
    }
    const p = this.prefix;
    const m = this.redis.pipeline();
    if (hit.playbackId) {
      m.zadd(k.live(p, hit.playbackId), at, hit.viewer).sadd(k.bucket(p, hit.playbackId, b), hit.viewer);
      if (this.mark(`s:${hit.playbackId}`))
        m.expire(k.live(p, hit.playbackId), BUCKET_TTL_SECONDS)
          .expire(k.bucket(p, hit.playbackId, b), BUCKET_TTL_SECONDS)
          .sadd(k.dirty(p), `s:${hit.playbackId}`);
    }
    if (hit.assetId) {
      m.sadd(k.assetBucket(p, hit.assetId, b), hit.viewer).pfadd(k.views(p, hit.assetId), hit.viewer);
      if (this.mark(`a:${hit.assetId}`))
        m.expire(k.assetBucket(p, hit.assetId, b), BUCKET_TTL_SECONDS)
          .expire(k.views(p, hit.assetId), VIEWS_TTL_SECONDS)
          .sadd(k.dirty(p), `a:${hit.assetId}`);
    }
    m.exec().catch(() => undefined);
  }

  private mark(target: string): boolean {
    if (this.marked.has(target)) return false;
    if (this.marked.size > 100_000) this.marked.clear();
    this.marked.add(target);
    return true;
  }
}

/** Viewers of each stream active within `windowMs`; 0 for every stream when Redis cannot answer. */
export async function currentViewers(
  redis: Redis,
  prefix: string,
  playbackIds: { playbackId: string; windowMs: number }[],
  now = Date.now(),
): Promise<number[]> {
  if (playbackIds.length === 0) return [];
  const m = redis.pipeline();
  for (const { playbackId, windowMs } of playbackIds) m.zcount(k.live(prefix, playbackId), now - windowMs, '+inf');
  const out = await m.exec().catch(() => null);
  return playbackIds.map((_, i) => Number(out?.[i]?.[1] ?? 0));
}

export interface BucketCount {
  at: number;
  viewers: number;
}

/** Distinct viewers per 10 s bucket in [from, to) still held in Redis (the last 15 minutes). */
export async function recentBuckets(
  redis: Redis,
  prefix: string,
  target: { playbackId: string } | { assetId: string },
  from: number,
  to: number,
): Promise<BucketCount[]> {
  const start = Math.max(bucketOf(from), bucketOf(Date.now() - BUCKET_TTL_SECONDS * 1000));
  const buckets: number[] = [];
  for (let b = start; b < to; b += VIEWER_BUCKET_MS) buckets.push(b);
  if (buckets.length === 0) return [];
  const m = redis.pipeline();
  for (const b of buckets) m.scard('playbackId' in target ? k.bucket(prefix, target.playbackId, b) : k.assetBucket(prefix, target.assetId, b));
  const out = await m.exec().catch(() => null);
  return buckets.map((at, i) => ({ at, viewers: Number(out?.[i]?.[1] ?? 0) })).filter((c) => c.viewers > 0);
}

/** Streams (`s:<playbackId>`) and assets (`a:<assetId>`) with activity since the last call. */
export async function takeDirty(redis: Redis, prefix: string): Promise<{ playbackIds: string[]; assetIds: string[] }> {
  const key = k.dirty(prefix);
  const members = (await redis.multi().smembers(key).del(key).exec())?.[0]?.[1] as string[] | undefined;
  const all = members ?? [];
  return { playbackIds: all.filter((m) => m.startsWith('s:')).map((m) => m.slice(2)), assetIds: all.filter((m) => m.startsWith('a:')).map((m) => m.slice(2)) };
}

/** Marks targets dirty again (a flush that failed to reach Postgres). */
export async function markDirty(redis: Redis, prefix: string, targets: { playbackIds: string[]; assetIds: string[] }): Promise<void> {
  const members = [...targets.playbackIds.map((id) => `s:${id}`), ...targets.assetIds.map((id) => `a:${id}`)];
  if (members.length) await redis.sadd(k.dirty(prefix), ...members);
}

/** Distinct viewers of an asset ever (HyperLogLog: ±0.8 %). */
export async function assetViews(redis: Redis, prefix: string, assetId: string): Promise<number> {
  return redis.pfcount(k.views(prefix, assetId));
}

/** Forgets the live viewers that left long ago (the sorted set would otherwise keep every viewer until it expires). */
export async function pruneLive(redis: Redis, prefix: string, playbackId: string, olderThanMs: number, now = Date.now()): Promise<void> {
  await redis.zremrangebyscore(k.live(prefix, playbackId), '-inf', now - olderThanMs);
}
