// Which worker runs each live session's ladder and relays, and how fast another takes over when it dies.
//
// BullMQ notices a dead worker only when its job lock expires and a stalled check runs (~25 s with
// our lock), far longer than the two segment lengths a viewer can wait. So every worker registers
// in Redis with the id of its own Redis connection. When a worker process dies, the kernel closes
// that connection and Redis drops the client at once: the watchdog (run by one worker at a time)
// sees the id gone and enqueues a take-over job for each piece of work the dead worker held. A worker
// that froze or lost the network is caught by its heartbeat going stale instead.
//
// Each run holds its work (`acquire`: a session's ladder, or one relay of it), so however a duplicate
// job appears (a stalled-job retry of the dead worker's job, the ladder sweeper after Redis lost its
// data) only one ffmpeg runs: a second run of work held by a live worker is skipped, and a run that
// finds its work held by another (it was declared dead but was not) stops.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A safety net: a holder refreshes its key every heartbeat, so a key nobody refreshes goes away. */
const WORK_KEY_TTL_MS = 10 * 60_000;

/** Redis server time in ms, inside a script (workers' clocks may disagree). */
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const SCRIPTS = {
  // KEYS: workers, clients · ARGV: workerId, clientTag
  awHeartbeat: {
    numberOfKeys: 2,
    lua: `${NOW}
      redis.call('ZADD', KEYS[1], now, ARGV[1])
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
      return now`,
  },
  // KEYS: work, workers, held · ARGV: work, holder, staleMs, workerId.
  // Takes the work unless a live worker other than this run holds it.
  awAcquire: {
    numberOfKeys: 3,
    lua: `${NOW}
      local cur = redis.call('GET', KEYS[1])
      if cur and cur ~= ARGV[2] then
        local owner = string.match(cur, '^([^|]+)|')
        local seen = owner and redis.call('ZSCORE', KEYS[2], owner)
        if seen and tonumber(seen) >= now - tonumber(ARGV[3]) then return 0 end
      end
      if not redis.call('ZSCORE', KEYS[2], ARGV[4]) then redis.call('ZADD', KEYS[2], now, ARGV[4]) end
      redis.call('SET', KEYS[1], ARGV[2], 'PX', ${WORK_KEY_TTL_MS})
      redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
      return 1`,
  },
  // KEYS: work, held · ARGV: work, holder. Still ours? (Re-written if Redis lost it.)
  awConfirm: {
    numberOfKeys: 2,
    lua: `local cur = redis.call('GET', KEYS[1])
      if cur and cur ~= ARGV[2] then return 0 end
      redis.call('SET', KEYS[1], ARGV[2], 'PX', ${WORK_KEY_TTL_MS})
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
      return 1`,
  },
  // KEYS: work, held · ARGV: work, holder
  awRelease: {
    numberOfKeys: 2,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[2] then redis.call('DEL', KEYS[1]) end
      if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[2], ARGV[1]) end
      return 1`,
  },
  // KEYS: workers, clients, held(dead) · ARGV: workerId, work key prefix. Exactly one caller gets
  // the dead worker's work; it is freed for the take-over.
  awClaimDead: {
    numberOfKeys: 3,
    lua: `if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return {} end
      redis.call('HDEL', KEYS[2], ARGV[1])
      local held = redis.call('HGETALL', KEYS[3])
      local work = {}
      for i = 1, #held, 2 do
        local key = ARGV[2] .. held[i]
        if redis.call('GET', key) == held[i + 1] then redis.call('DEL', key) end
        table.insert(work, held[i])
      end
      redis.call('DEL', KEYS[3])
      return work`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;

type Scripted = Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>;

/** What a run holds: a session's ladder, or one simulcast relay of it. */
export const Work = {
  ladder: (sessionId: string) => `ladder.${sessionId}`,
  relay: (sessionId: string, targetId: string) => `relay.${sessionId}.${targetId}`,
  pull: (liveStreamId: string) => `pull.${liveStreamId}`,
  parse(
    work: string,
  ): { kind: 'ladder'; sessionId: string } | { kind: 'relay'; sessionId: string; targetId: string } | { kind: 'pull'; liveStreamId: string } | undefined {
    const [kind, id, targetId] = work.split('.');
    if (kind === 'ladder' && id) return { kind, sessionId: id };
    if (kind === 'relay' && id && targetId) return { kind, sessionId: id, targetId };
    if (kind === 'pull' && id) return { kind, liveStreamId: id };
    return undefined;
  },
};

export interface OwnershipOptions {
  /** `<REDIS_PREFIX>:owners` */
  prefix: string;
  /** A worker whose heartbeat is older than this is dead even if its connection looks open. */
  staleMs: number;
  heartbeatMs?: number;
  watchdogMs?: number;
  log: Logger;
  /** Called by the watchdog with the work of a worker that died (see `Work`); enqueues its take-over. */
  onOrphaned(work: string[], deadWorker: string): Promise<void>;
}

export interface Hold {
  /** Calls `fn` if another worker took the work over (this worker was thought dead). */
  onLost(fn: () => void): void;
  release(): Promise<void>;
}

export class Ownership {
  readonly workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly redis: Redis & Scripted;
  /** Work this worker runs, by work key. */
  private readonly held = new Map<string, { holder: string; lost: (() => void)[] }>();
  private timers: NodeJS.Timeout[] = [];
  private clientTag: string | undefined;
  private serverRunId: string | undefined;
  private connectedSince = Date.now();

  constructor(
    redis: Redis,
    private readonly o: OwnershipOptions,
  ) {
    for (const [name, def] of Object.entries(SCRIPTS)) redis.defineCommand(name, def);
    this.redis = redis as Redis & Scripted;
    // A new connection has a new client id (and after a Redis restart, a new server run).
    redis.on('ready', () => {
      this.clientTag = undefined;
      this.serverRunId = undefined;
      this.connectedSince = Date.now();
    });
  }

  private key(...parts: string[]): string {
    return [this.o.prefix, ...parts].join(':');
  }

  async start(): Promise<void> {
    await this.heartbeat();
    const every = (ms: number, fn: () => Promise<void>, what: string) => {
      let busy = false;
      const t = setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
          await fn();
        } catch (err) {
          this.o.log.warn({ err: (err as Error).message }, `${what} failed; will retry`);
        } finally {
          busy = false;
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.heartbeatMs ?? 1000, () => this.heartbeat(), 'ownership heartbeat');
    every(this.o.watchdogMs ?? 500, () => this.watchdog(), 'ownership watchdog');
  }

  /** `<client id>@<server run id>`: only comparable with the same Redis server run. */
  private async tag(): Promise<string> {
    if (!this.clientTag) {
      const id = await this.redis.client('ID');
      this.clientTag = `${id}@${await this.runId()}`;
    }
    return this.clientTag;
  }

  private async runId(): Promise<string> {
    if (!this.serverRunId) this.serverRunId = /run_id:(\w+)/.exec(await this.redis.info('server'))?.[1] ?? 'unknown';
    return this.serverRunId;
  }

  private async heartbeat(): Promise<void> {
    await this.redis.awHeartbeat(this.key('workers'), this.key('clients'), this.workerId, await this.tag());
    for (const [work, h] of this.held) {
      const ours = await this.redis.awConfirm(this.key('work', work), this.key('held', this.workerId), work, h.holder);
      if (ours === 0 && this.held.get(work) === h) {
        this.o.log.warn({ work }, 'another worker took this work over; stopping this run');
        this.held.delete(work);
        h.lost.forEach((fn) => fn());
      }
    }
  }

  /** Holds the work for this run, or answers undefined when a live worker already runs it. */
  async acquire(work: string, runId: string): Promise<Hold | undefined> {
    const holder = `${this.workerId}|${runId}`;
    const got = await this.redis.awAcquire(
      this.key('work', work),
      this.key('workers'),
      this.key('held', this.workerId),
      work,
      holder,
      this.o.staleMs,
      this.workerId,
    );
    if (got !== 1) return undefined;
    const entry = { holder, lost: [] as (() => void)[] };
    this.held.set(work, entry);
    return {
      onLost: (fn) => entry.lost.push(fn),
      release: async () => {
        if (this.held.get(work) === entry) this.held.delete(work);
        await this.redis.awRelease(this.key('work', work), this.key('held', this.workerId), work, holder).catch(() => {});
      },
    };
  }

  /** Whether a run (of any worker) holds the work now. */
  async isHeld(work: string): Promise<boolean> {
    return (await this.redis.exists(this.key('work', work))) === 1;
  }

  /** Workers whose Redis connection closed (they died) or whose heartbeat went stale. */
  async deadWorkers(): Promise<string[]> {
    const [seconds, micros] = await this.redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const beats = await this.redis.zrange(this.key('workers'), 0, -1, 'WITHSCORES');
    const tags = await this.redis.hgetall(this.key('clients'));
    const dead = new Set<string>();
    const byClient = new Map<string, string>();
    const run = await this.runId();
    // After a Redis outage nobody's heartbeat could land: judge staleness only once this worker has
    // itself been connected for a whole staleness period (the others have beaten again by then).
    const judgeStale = Date.now() - this.connectedSince > this.o.staleMs;
    for (let i = 0; i < beats.length; i += 2) {
      const [worker, seen] = [beats[i]!, Number(beats[i + 1])];
      if (worker === this.workerId) continue;
      if (judgeStale && seen < now - this.o.staleMs) dead.add(worker);
      const [clientId, tagRun] = (tags[worker] ?? '').split('@');
      if (clientId && tagRun === run) byClient.set(clientId, worker);
    }
    if (byClient.size > 0) {
      let listed: string;
      try {
        listed = (await this.redis.client('LIST', 'ID', ...byClient.keys())) as string;
      } catch {
        return [...dead]; // CLIENT LIST is disabled on some managed Redis: the heartbeat alone decides.
      }
      const alive = new Set([...listed.matchAll(/(?:^|\n)id=(\d+)/g)].map((m) => m[1]));
      for (const [clientId, worker] of byClient) if (!alive.has(clientId)) dead.add(worker);
    }
    return [...dead];
  }

  private async watchdog(): Promise<void> {
    // One worker per tick does the scan; the claim below is atomic anyway.
    const lock = await this.redis.set(this.key('watchdog'), this.workerId, 'PX', Math.max(100, (this.o.watchdogMs ?? 500) - 50), 'NX');
    if (lock !== 'OK') return;
    for (const worker of await this.deadWorkers()) {
      const work = (await this.redis.awClaimDead(this.key('workers'), this.key('clients'), this.key('held', worker), worker, this.key('work', ''))) as string[];
      this.o.log.warn({ deadWorker: worker, work: work.length }, 'worker gone; taking over its work');
      if (work.length > 0) await this.o.onOrphaned(work, worker);
    }
  }

  /** Graceful stop: this worker's runs end (their jobs are retried elsewhere); it leaves the registry. */
  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.timers = [];
    await this.redis.zrem(this.key('workers'), this.workerId).catch(() => {});
    await this.redis.hdel(this.key('clients'), this.workerId).catch(() => {});
    this.redis.disconnect();
  }
}
