// Whether an ingest node is alive, told apart from whether its reports reach the API. Each node sets
// a short-lived Redis key every few seconds; the sweeper that ends sessions whose heartbeats stopped
// spares those whose node is still alive — their heartbeats stopped because the API is down or
// restarting, and the broadcast goes on (docs/failures.md). A node that dies or freezes lets its key
// expire, and its sessions end as before.
import type { Redis } from 'ioredis';

export const INGEST_ALIVE_REPORT_MS = 4_000;
/** Three missed reports. */
export const INGEST_ALIVE_TTL_MS = 12_000;

const aliveKey = (prefix: string, nodeId: string) => `${prefix}:ingest-alive:${nodeId}`;

export async function reportIngestAlive(redis: Redis, prefix: string, nodeId: string): Promise<void> {
  await redis.set(aliveKey(prefix, nodeId), String(Date.now()), 'PX', INGEST_ALIVE_TTL_MS);
}

export async function ingestGone(redis: Redis, prefix: string, nodeId: string): Promise<void> {
  await redis.del(aliveKey(prefix, nodeId));
}

/** The nodes of `nodeIds` whose key is still there. */
export async function aliveIngests(redis: Redis, prefix: string, nodeIds: string[]): Promise<Set<string>> {
  const unique = [...new Set(nodeIds)];
  if (unique.length === 0) return new Set();
  const values = await redis.mget(...unique.map((id) => aliveKey(prefix, id)));
  return new Set(unique.filter((_, i) => values[i] !== null));
}
