// Lets a running transcode learn that its publisher left or its session was ended, from the API's
// messages on Redis, so ffmpeg is stopped instead of waiting on a dead pull.
import { createRedis, ingestControlChannel, type SessionControlMessage } from '@airwave/jobs';
import type { Redis } from 'ioredis';

export class SessionControl {
  private readonly listeners = new Map<string, Set<() => void>>();
  private sub: Redis | undefined;
  /** Set when this worker is shutting down: its runs end so another worker can resume them. */
  shuttingDown = false;

  async start(redisUrl: string, prefix: string): Promise<void> {
    this.sub = createRedis(redisUrl, 'worker');
    await this.sub.subscribe(ingestControlChannel(prefix));
    this.sub.on('message', (_channel, raw) => {
      let msg: SessionControlMessage;
      try {
        msg = JSON.parse(raw) as SessionControlMessage;
      } catch {
        return;
      }
      for (const fn of this.listeners.get(msg.sessionId) ?? []) fn();
    });
  }

  /** Calls `fn` when the session's publisher stops or the session ends; returns the unsubscribe. */
  onStop(sessionId: string, fn: () => void): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) this.listeners.set(sessionId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.listeners.delete(sessionId);
    };
  }

  /** Worker shutdown: stop every run (their jobs fail and are retried on another worker). */
  stopAll(): void {
    this.shuttingDown = true;
    for (const set of this.listeners.values()) for (const fn of set) fn();
  }

  close(): void {
    this.sub?.disconnect();
  }
}
