// Whether the API's dependencies answer: /readyz and the airwave_dependency_up metric ask the same way.
import type { Db } from '@airwave/db';
import type { Redis } from 'ioredis';

/** Resolves to 'ok' or the reason, within a bound so a hung dependency cannot hang the probe. */
async function probe(fn: () => Promise<unknown>, timeoutMs = 1500): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)))]);
    return 'ok';
  } catch (err) {
    return (err as Error).message.split('\n')[0] || 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

export async function dependencyChecks(db: Db, redis: Redis): Promise<{ postgres: string; redis: string }> {
  const [postgres, redisCheck] = await Promise.all([probe(() => db.$queryRaw`SELECT 1`), probe(() => redis.ping())]);
  return { postgres, redis: redisCheck };
}
