// The last minutes of a session's encoder stats (one sample per ingest heartbeat, every 5 s), for
// the health chart. Redis keeps them: they are a view, not a record; losing them loses a chart.
import type { Redis } from 'ioredis';

const KEEP_SAMPLES = 180; // 15 minutes
const TTL_SECONDS = 6 * 3600;

export interface StatsSample {
  t: string;
  bitrateKbps?: number;
  fps?: number;
  keyframeIntervalSeconds?: number;
}

export class StatsHistory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key = (sessionId: string) => `${this.prefix}:stats:${sessionId}`;

  /** Best effort: a heartbeat never fails because Redis is away. */
  async record(sessionId: string, stats: Record<string, unknown> | undefined): Promise<void> {
    if (!stats) return;
    const sample: StatsSample = { t: new Date().toISOString() };
    for (const k of ['bitrateKbps', 'fps', 'keyframeIntervalSeconds'] as const) if (typeof stats[k] === 'number') sample[k] = stats[k] as number;
    const key = this.key(sessionId);
    await this.redis
      .multi()
      .rpush(key, JSON.stringify(sample))
      .ltrim(key, -KEEP_SAMPLES, -1)
      .expire(key, TTL_SECONDS)
      .exec()
      .catch(() => undefined);
  }

  async read(sessionId: string): Promise<StatsSample[]> {
    const raw = await this.redis.lrange(this.key(sessionId), 0, -1).catch(() => [] as string[]);
    return raw.map((r) => JSON.parse(r) as StatsSample);
  }
}
