// Ingest hooks: the ingest asks before every publish and reports what happens to it afterwards.
// All state changes go through the shared state machine (@airwave/core liveStreamState).
import { displayPrefix, liveStreamState, sha256Hex, type PublicUrls } from '@airwave/core';
import type { Db } from '@airwave/db';
import type { FastifyBaseLogger } from 'fastify';
import type { StatsHistory } from '../live-streams/stats-history.js';
import type { Effects } from '../../lib/effects.js';

export interface AuthorizeInput {
  streamKey: string;
  ingestNodeId: string;
  ingestAddress: string;
  clientIp?: string;
}

export class IngestHookService {
  constructor(
    private readonly db: Db,
    private readonly effects: Effects,
    private readonly urls: PublicUrls,
    private readonly history: StatsHistory,
  ) {}

  async precheck(streamKey: string): Promise<{ allow: boolean; reason?: string }> {
    const denied = await liveStreamState.precheckPublish(this.db, sha256Hex(streamKey));
    return denied ? { allow: false, reason: denied.reason } : { allow: true };
  }

  async authorize(input: AuthorizeInput, log: FastifyBaseLogger) {
    const keyPrefix = displayPrefix(input.streamKey);
    const streamKeyHash = sha256Hex(input.streamKey);
    const result =
      (await liveStreamState.precheckPublish(this.db, streamKeyHash)) ??
      (await this.db.$transaction((tx) =>
        liveStreamState.claimPublish(
          tx,
          { streamKeyHash, ingestNodeId: input.ingestNodeId, ingestAddress: input.ingestAddress, clientIp: input.clientIp },
          { urls: this.urls },
        ),
      ));
    if (!result.allow) {
      log.info({ keyPrefix, reason: result.reason, liveStreamId: result.stream?.id, ingestNodeId: input.ingestNodeId }, 'publish refused');
      return { allow: false as const, reason: result.reason };
    }
    await this.effects.dispatchEvents(result.eventIds);
    const { stream, session } = result;
    log.info({ keyPrefix, liveStreamId: stream.id, sessionId: session.id, resumed: result.resumed }, 'publish authorized');
    return {
      allow: true as const,
      liveStreamId: stream.id,
      sessionId: session.id,
      resumed: result.resumed,
      playbackId: stream.playbackId,
      renditions: stream.renditions,
      latencyMode: stream.latencyMode,
      record: stream.record,
      reconnectWindowSeconds: stream.reconnectWindowSeconds,
    };
  }

  async heartbeat(sessionId: string, stats?: Record<string, unknown>) {
    const { keep, eventIds } = await this.db.$transaction((tx) => liveStreamState.recordHeartbeat(tx, sessionId, stats, { urls: this.urls }));
    await this.effects.dispatchEvents(eventIds);
    if (keep) await this.history.record(sessionId, stats);
    return { keep };
  }

  /** The ingest holds the publisher and has seen its first headers: start the ladder. */
  async started(sessionId: string, stats?: Record<string, unknown>) {
    const answer = await this.heartbeat(sessionId, stats);
    if (answer.keep) {
      const session = await this.db.liveStreamSession.findUniqueOrThrow({ where: { id: sessionId }, include: { liveStream: { include: { simulcastTargets: { select: { id: true } } } } } });
      await this.effects.startTranscode(sessionId, session.reconnects);
      await this.effects.startSimulcasts(sessionId, session.reconnects, session.liveStream.simulcastTargets.map((t) => t.id));
    }
    return answer;
  }

  async stopped(sessionId: string) {
    const t = await this.db.$transaction((tx) => liveStreamState.publishStopped(tx, sessionId, { urls: this.urls }));
    await this.effects.publishStopped(sessionId);
    if (!t) return { status: 'ignored' as const };
    await this.effects.dispatchEvents(t.eventIds);
    if (t.reconnectDeadline) {
      await this.effects.scheduleReconnectExpiry(sessionId, t.stream.statusChangedAt, t.reconnectDeadline);
    }
    if (t.endedSession) await this.effects.finalizeRecording(sessionId);
    return { status: t.stream.status };
  }
}
