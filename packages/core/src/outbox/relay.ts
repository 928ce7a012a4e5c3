// The one relay of the outbox (record.ts): every API and worker process runs one. It wakes on the
// NOTIFY a committing transaction sends, and polls every second in case a notification was missed
// (the LISTEN connection was down). Rows are claimed with SKIP LOCKED, so relays share the work;
// a row is marked dispatched only after Redis took it, and job ids are deterministic, so a relay
// that dies between the two makes a duplicate BullMQ ignores, never a loss.
import { parseDatabaseUrl, type Db } from '@airwave/db';
import { ingestControlChannel, jobs, type JobDef, type JobName, type Queues } from '@airwave/jobs';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { OUTBOX_CHANNEL } from './record.js';

interface Row {
  id: string;
  kind: string;
  name: string;
  payload: Record<string, unknown>;
  runAt: Date | null;
}

export interface RelayLog {
  warn(obj: object, msg: string): void;
}

const BATCH = 200;

export class OutboxRelay {
  private listener: pg.Client | undefined;
  private poll: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failing = false;
  private readonly schema: string;

  constructor(
    private readonly db: Db,
    private readonly databaseUrl: string,
    private readonly queues: Queues,
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly log: RelayLog,
    private readonly pollMs = 1000,
  ) {
    this.schema = parseDatabaseUrl(databaseUrl).schema;
  }

  start(): void {
    void this.listen();
    this.poll = setInterval(() => this.wake(), this.pollMs);
    this.poll.unref();
    this.wake();
  }

  /** Runs a drain now (or right after the one in progress). */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drainAll().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves when everything committed so far has been dispatched (tests, shutdown). */
  async flush(): Promise<void> {
    await this.draining;
    await this.drainAll();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(parseDatabaseUrl(this.databaseUrl).pool);
    client.on('notification', (n) => n.payload === this.schema && this.wake());
    const retry = () => {
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => {});
      // Polling covers the gap; listening again makes dispatch immediate once Postgres is back.
      if (!this.stopped) setTimeout(() => void this.listen(), 2000).unref();
    };
    client.on('error', retry);
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
      this.wake(); // what committed while we were not listening
    } catch {
      retry();
    }
  }

  private async drainAll(): Promise<void> {
    try {
      while (!this.stopped && (await this.drainBatch()) === BATCH);
      if (this.failing) this.failing = false;
    } catch (err) {
      // Postgres or Redis unreachable: the rows wait; the next wake or poll tries again.
      if (!this.failing) this.log.warn({ err: (err as Error).message }, 'outbox dispatch deferred');
      this.failing = true;
    }
  }

  private async drainBatch(): Promise<number> {
    const { count, failure } = await this.db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<Row[]>`
          SELECT id, kind, name, payload, "runAt" FROM "OutboxMessage"
          WHERE "dispatchedAt" IS NULL ORDER BY "createdAt" LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
        const done: string[] = [];
        let failure: unknown;
        for (const row of rows) {
          try {
            await this.dispatch(row);
            done.push(row.id);
          } catch (err) {
            failure = err; // Redis is down: the rest waits, in order
            break;
          }
        }
        // What Redis took is marked in the same transaction that held the rows.
        if (done.length) await tx.$executeRaw`UPDATE "OutboxMessage" SET "dispatchedAt" = now() WHERE id = ANY(${done})`;
        return { count: failure ? 0 : rows.length, failure };
      },
      { timeout: 30_000 },
    );
    if (failure) throw failure;
    return count;
  }

  private async dispatch(row: Row): Promise<void> {
    if (row.kind === 'control') {
      if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
      await this.redis.publish(ingestControlChannel(this.redisPrefix), JSON.stringify(row.payload));
      return;
    }
    const def = jobs[row.name as JobName];
    if (!def) {
      // Written by a newer version that knows a job this one does not: leave nothing stuck behind it.
      this.log.warn({ id: row.id, name: row.name }, 'outbox row names no job this version knows; skipped');
      return;
    }
    const delay = row.runAt ? Math.max(0, row.runAt.getTime() - Date.now()) : 0;
    await this.queues.add(def as JobDef<unknown>, row.payload, delay ? { delay } : {});
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    await this.draining;
    await this.listener?.end().catch(() => {});
  }
}
