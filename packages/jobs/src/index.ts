// One job registry shared by producers (api) and consumers (worker): name → queue → payload → job id.
// Payloads carry ids only, never keys or secrets; the worker reads the rest from the database.
import { Queue, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export interface JobDef<P> {
  queue: QueueName;
  name: string;
  /** Deterministic ids de-duplicate: enqueueing the same work twice is a no-op (no ':' allowed). */
  jobId(payload: P): string;
  opts?: JobsOptions;
  /** Type carrier only. */
  readonly payload?: P;
}

export const QUEUE_NAMES = ['webhooks', 'lifecycle', 'transcode', 'finalize', 'simulcast'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const keep = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600 } };

export const jobs = {
  /** Fans one outbox event out to the project's matching webhooks. */
  webhookFanout: {
    queue: 'webhooks',
    name: 'fanout',
    jobId: (p) => `fanout.${p.eventId}`,
    opts: { attempts: 20, backoff: { type: 'exponential', delay: 1000 }, ...keep },
  } satisfies JobDef<{ eventId: string }> as JobDef<{ eventId: string }>,
  /** One event to one endpoint; retried with the webhook back-off for 24 h (see retry.ts). */
  webhookDeliver: {
    queue: 'webhooks',
    name: 'deliver',
    jobId: (p) => `deliver.${p.eventId}.${p.webhookId}`,
    opts: { backoff: { type: 'webhook' }, ...keep },
  } satisfies JobDef<{ eventId: string; webhookId: string }> as JobDef<{ eventId: string; webhookId: string }>,
  /**
   * One live ladder run: one ffmpeg pulling the session from its ingest node. A reconnect is a new
   * run of the same session (the playlist continues with a discontinuity); a crash is a retry.
   */
  transcode: {
    queue: 'transcode',
    name: 'live-ladder',
    // A take-over (the worker running the session died) is a job of its own: the dead worker's job
    // stays locked until BullMQ notices, and is then skipped because a live worker holds the session.
    jobId: (p) => `transcode.${p.sessionId}.${p.run}${p.takeover ? `.t${p.takeover}` : ''}`,
    // Retried for as long as the session is live: a ladder that gave up would leave an `active`
    // stream with no new segments.
    opts: { attempts: 100_000, backoff: { type: 'ladder' }, ...keep },
  } satisfies JobDef<TranscodePayload> as JobDef<TranscodePayload>,
  /**
   * One `-c copy` relay of a live session to one simulcast target. A destination that refuses or
   * drops is retried with the relay back-off for as long as the session is live.
   */
  simulcast: {
    queue: 'simulcast',
    name: 'relay',
    jobId: (p) => `simulcast.${p.sessionId}.${p.run}.${p.targetId}${p.takeover ? `.t${p.takeover}` : ''}`,
    opts: { attempts: 10_000, backoff: { type: 'relay' }, ...keep },
  } satisfies JobDef<RelayPayload> as JobDef<RelayPayload>,
  /** Turns an ended session's recording into a VOD asset (playlists, MP4, thumbnail), no re-encode. */
  finalize: {
    queue: 'finalize',
    name: 'vod',
    jobId: (p) => `finalize.${p.sessionId}`,
    opts: { attempts: 4, backoff: { type: 'exponential', delay: 2000 }, ...keep },
  } satisfies JobDef<{ sessionId: string }> as JobDef<{ sessionId: string }>,
  /** Removes the segments of an ended session that no recording needs (enqueued with a delay). */
  cleanupLive: {
    queue: 'finalize',
    name: 'cleanup-live',
    jobId: (p) => `cleanup.${p.sessionId}`,
    opts: { attempts: 10, backoff: { type: 'exponential', delay: 5000 }, ...keep },
  } satisfies JobDef<{ sessionId: string }> as JobDef<{ sessionId: string }>,
  /** Makes a clip asset from a live stream's or an asset's segments (copied, not re-encoded). */
  clip: {
    queue: 'finalize',
    name: 'clip',
    jobId: (p) => `clip.${p.assetId}`,
    opts: { attempts: 4, backoff: { type: 'exponential', delay: 2000 }, ...keep },
  } satisfies JobDef<{ assetId: string }> as JobDef<{ assetId: string }>,
  /**
   * Pulls a `pull` stream's source into the ingest while the stream is enabled (one holder at a time;
   * `at` makes each enqueue a new job, so enabling again after a finished run starts one).
   */
  pull: {
    queue: 'simulcast',
    name: 'pull',
    jobId: (p) => `pull.${p.liveStreamId}.${p.at}`,
    opts: { attempts: 1000, backoff: { type: 'exponential', delay: 2000 }, ...keep },
  } satisfies JobDef<{ liveStreamId: string; at: number }> as JobDef<{ liveStreamId: string; at: number }>,
  /** Removes every stored object of a deleted asset. */
  deleteAsset: {
    queue: 'finalize',
    name: 'delete-asset',
    jobId: (p) => `delete.${p.assetId}`,
    opts: { attempts: 10, backoff: { type: 'exponential', delay: 5000 }, ...keep },
  } satisfies JobDef<{ assetId: string }> as JobDef<{ assetId: string }>,
  /** Ends a session whose encoder did not come back within the stream's reconnect window. */
  reconnectWindow: {
    queue: 'lifecycle',
    name: 'reconnect-window-expired',
    jobId: (p) => `reconnect.${p.sessionId}.${p.disconnectedAt}`,
    opts: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, ...keep },
  } satisfies JobDef<{ sessionId: string; disconnectedAt: number }> as JobDef<{ sessionId: string; disconnectedAt: number }>,
};

export type JobName = keyof typeof jobs;
/** `takeover`: when the watchdog found the worker running it dead (ms), for a job id of its own. */
export interface TranscodePayload {
  sessionId: string;
  run: number;
  takeover?: number;
  /**
   * Set by a run whose copied top rung met keyframes too far apart: its retries encode every rung.
   * (The session's stats cannot carry it: every heartbeat replaces them with a fresh measurement.)
   */
  encodeEveryRung?: boolean;
}
export interface RelayPayload extends TranscodePayload {
  targetId: string;
}
export type PayloadOf<D> = D extends JobDef<infer P> ? P : never;

export { ladderRetryDelay, relayRetryDelay, webhookMaxAttempts, webhookRetryDelay, WEBHOOK_RETRY_WINDOW_MS } from './retry.js';

export interface RedisSettings {
  url: string;
  prefix: string;
}

/**
 * Producers inside HTTP requests must fail fast when Redis is down (no offline queue, one retry);
 * workers wait forever for Redis to come back (`maxRetriesPerRequest: null`, as BullMQ requires).
 */
export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  const opts: RedisOptions =
    role === 'producer' ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 } : { maxRetriesPerRequest: null };
  const redis = new Redis(url, { ...opts, lazyConnect: false });
  // ioredis reconnects by itself; without a listener an outage would crash the process.
  redis.on('error', () => {});
  return redis;
}

/** The queues a producer writes to. */
export class Queues {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    /** The producer connection, shared with what else a process keeps in Redis (viewer counts). */
    readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  get(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis, prefix: this.prefix });
      q.on('error', () => {});
      this.queues.set(name, q);
    }
    return q;
  }

  /** Fails fast while Redis is unreachable: a producer inside an HTTP request must not hang. */
  async add<P>(def: JobDef<P>, payload: P, opts: JobsOptions = {}): Promise<void> {
    if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2000);
    });
    try {
      await Promise.race([this.get(def.queue).add(def.name, payload, { ...def.opts, ...opts, jobId: def.jobId(payload) }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waiting + delayed + active jobs per queue, for /metrics. */
  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const name of QUEUE_NAMES) {
      out[name] = await this.get(name).getJobCounts('waiting', 'delayed', 'active', 'failed');
    }
    return out;
  }

  /**
   * How long the oldest job still waiting (or waiting to be retried) has been in each queue, in
   * seconds; 0 when none waits. A webhook backlog that grows old means deliveries are failing.
   */
  async oldestPendingSeconds(now = Date.now()): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const name of QUEUE_NAMES) {
      // Delayed jobs are ordered by when they run next, not by age: look at a few of each kind.
      const pending = await this.get(name).getJobs(['waiting', 'delayed', 'prioritized'], 0, 49, true);
      const oldest = Math.min(...pending.map((j) => j.timestamp));
      out[name] = Number.isFinite(oldest) ? Math.max(0, (now - oldest) / 1000) : 0;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
export * from './ingest-control.js';
export * from './webrtc-edges.js';
export * from './viewers.js';
export * from './ingest-api.js';
export * from './ingest-liveness.js';
