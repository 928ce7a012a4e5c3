// What happens after a transaction commits: webhook fan-out, publisher disconnects, timers.
// Each is best effort: the outbox sweeper re-dispatches events that did not make it to Redis, and
// an ingest learns of an ended session from its next heartbeat.
import type { Transition } from '@airwave/core';
import { ingestControlChannel, jobs, type Queues, type SessionControlMessage, type StopSessionMessage } from '@airwave/jobs';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

export class Effects {
  constructor(
    private readonly queues: Queues,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  async dispatchEvents(eventIds: string[]): Promise<void> {
    for (const eventId of eventIds) {
      await this.queues.add(jobs.webhookFanout, { eventId }).catch((err: Error) => {
        this.log.warn({ eventId, err: err.message }, 'event dispatch deferred to the outbox sweeper');
      });
    }
  }

  /** Events, then a disconnect for the publisher whose session the transition ended. */
  async afterTransition(t: Transition, reason: string): Promise<void> {
    await this.dispatchEvents(t.eventIds);
    const s = t.endedSession;
    if (!s) return;
    await this.finalizeRecording(s.id);
    const msg: StopSessionMessage = { type: 'stop-session', sessionId: s.id, ingestNodeId: s.ingestNodeId, reason };
    await this.redis.publish(ingestControlChannel(this.prefix), JSON.stringify(msg)).catch((err: Error) => {
      this.log.warn({ sessionId: s.id, err: err.message }, 'stop-session not published; the next heartbeat ends it');
    });
  }

  /** The session is over: its recording (if any) becomes a VOD asset. */
  async finalizeRecording(sessionId: string): Promise<void> {
    await this.queues.add(jobs.finalize, { sessionId }).catch((err: Error) => {
      this.log.warn({ sessionId, err: err.message }, 'finalize deferred to the sweeper');
    });
  }

  async deleteAssetObjects(assetId: string): Promise<void> {
    await this.queues.add(jobs.deleteAsset, { assetId }).catch((err: Error) => {
      this.log.warn({ assetId, err: err.message }, 'asset object deletion deferred to the sweeper');
    });
  }

  async startTranscode(sessionId: string, run: number): Promise<void> {
    await this.queues.add(jobs.transcode, { sessionId, run });
  }

  async startSimulcasts(sessionId: string, run: number, targetIds: string[]): Promise<void> {
    for (const targetId of targetIds) await this.queues.add(jobs.simulcast, { sessionId, run, targetId });
  }

  /** Workers stop the ffmpeg pulling this session (it would otherwise wait on a dead stream). */
  async publishStopped(sessionId: string): Promise<void> {
    const msg: SessionControlMessage = { type: 'publish-stopped', sessionId };
    await this.redis.publish(ingestControlChannel(this.prefix), JSON.stringify(msg)).catch(() => {});
  }

  async scheduleReconnectExpiry(sessionId: string, disconnectedAt: Date, deadline: Date): Promise<void> {
    await this.queues.add(
      jobs.reconnectWindow,
      { sessionId, disconnectedAt: disconnectedAt.getTime() },
      { delay: Math.max(0, deadline.getTime() - Date.now()) },
    );
  }
}
