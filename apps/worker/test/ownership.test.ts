// Who runs each live session, against a real Redis: one holder per session, a dead worker's
// sessions handed over at once (its connection closed) or after its heartbeat went stale (frozen),
// and a worker wrongly thought dead stops its run when it learns another took over.
import { randomBytes } from 'node:crypto';
import { createRedis } from '@airwave/jobs';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { Ownership } from '../src/ownership.js';
import { eventually } from './helpers.js';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t_ownership_${randomBytes(3).toString('hex')}:owners`;
const started: Ownership[] = [];
const orphans: { sessions: string[]; dead: string }[] = [];

async function worker(staleMs = 60_000): Promise<Ownership> {
  const o = new Ownership(createRedis(url, 'worker'), {
    prefix,
    staleMs,
    heartbeatMs: 200,
    watchdogMs: 100,
    log: pino({ level: 'silent' }),
    onOrphaned: async (sessions, dead) => void orphans.push({ sessions, dead }),
  });
  await o.start();
  started.push(o);
  return o;
}

/** A process that dies: its timers stop and its socket closes, with no goodbye to Redis. */
function kill(o: Ownership) {
  (o as unknown as { timers: NodeJS.Timeout[] }).timers.forEach(clearInterval);
  (o as unknown as { redis: { disconnect(): void } }).redis.disconnect();
}

afterAll(async () => {
  for (const o of started) await o.stop().catch(() => {});
  const redis = createRedis(url, 'worker');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

it('one holder per session; a worker that dies has its sessions claimed once, at once', async () => {
  const [a, b, c] = [await worker(), await worker(), await worker()];
  const held = await a.acquire('lss_one', 'job-1');
  expect(held).toBeDefined();
  expect(await b.acquire('lss_one', 'job-2')).toBeUndefined(); // a live worker runs it
  expect(await a.isHeld('lss_one')).toBe(true);

  const t = Date.now();
  kill(a);
  const claim = await eventually(async () => orphans.find((x) => x.dead === a.workerId), 5000);
  expect(Date.now() - t).toBeLessThan(2000);
  expect(claim.sessions).toEqual(['lss_one']);
  await new Promise((r) => setTimeout(r, 500));
  expect(orphans.filter((x) => x.dead === a.workerId)).toHaveLength(1); // b and c did not both claim it

  const takeover = await c.acquire('lss_one', 'job-3');
  expect(takeover).toBeDefined();
  expect(await b.acquire('lss_one', 'job-4')).toBeUndefined();
  await takeover!.release();
  expect(await b.isHeld('lss_one')).toBe(false);
});

it('a frozen worker (connection open, no heartbeat) is replaced after the staleness period, and stops when it wakes', async () => {
  const [frozen, other] = [await worker(1000), await worker(1000)];
  const lost: string[] = [];
  const hold = (await frozen.acquire('lss_two', 'job-1'))!;
  hold.onLost(() => lost.push('lss_two'));
  const timers = (frozen as unknown as { timers: NodeJS.Timeout[] }).timers;
  timers.forEach(clearInterval);
  timers.length = 0;

  const claim = await eventually(async () => orphans.find((x) => x.dead === frozen.workerId), 5000);
  expect(claim.sessions).toEqual(['lss_two']);
  expect(await other.acquire('lss_two', 'job-2')).toBeDefined();

  // It wakes up: its first heartbeat finds the session held by another and stops its run.
  await frozen.start();
  await eventually(async () => lost.length > 0, 3000);
  expect(lost).toEqual(['lss_two']);
});
