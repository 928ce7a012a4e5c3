// A small read-through cache for hot lookups (API keys, playback policies, signing keys): a burst
// of requests costs one query, and a change is seen everywhere within the TTL. Concurrent misses
// for one key share a single load. While the database is unreachable an expired answer is served
// (stale-if-error), so viewers keep watching and known keys keep working through an outage.
import { isDatabaseUnavailable } from '@airwave/db';

export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = load()
      .catch((err: unknown) => {
        if (hit && isDatabaseUnavailable(err)) return hit.value;
        throw err;
      })
      .then((value) => {
        // Clearing on overflow keeps memory bounded without LRU bookkeeping on the hot path.
        if (this.entries.size >= this.max) this.entries.clear();
        this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
