// Ingest hooks: the ingest asks before every publish and reports what happens to it afterwards.
// All state changes go through the shared state machine (@airwave/core liveStreamState).
import { displayPrefix, liveStreamState, sha256Hex, verifyPullPublishKey, type PublicUrls } from '@airwave/core';
import type { Db } from '@airwave/db';
import type { AuthorizeRequest, PrecheckAnswer } from '@airwave/jobs';
import type { FastifyBaseLogger } from 'fastify';
import type { StatsHistory } from '../live-streams/stats-history.js';

/**
 * Refusals that can never turn into a publish: a key no stream has (keys are made here, so a guess
 * stays wrong) and a deleted stream's. A misconfigured encoder retrying every second, or a fleet
 * of them, then costs a map lookup instead of a query. A disabled or live stream is always asked.
 */
const FINAL_REFUSALS = new Set(['unknown_key', 'deleted']);
const FINAL_REFUSAL_TTL_MS = 10_000;
const FINAL_REFUSALS_MAX = 10_000;

export class IngestHookService {
  private readonly refused = new Map<string, { reason: 'unknown_key' | 'deleted'; expires: number }>();

  constructor(
    private readonly db: Db,
    private readonly urls: PublicUrls,
    private readonly history: StatsHistory,
    private readonly internalToken: string,
  ) {}

  /**
   * The hash the state machine finds the stream by: the stream key's, or, for a worker's pull
   * publish key, the hash of the pulled stream's own key (unknown key → a hash that finds nothing).
   */
  private async keyHash(streamKey: string): Promise<string> {
    const pulled = verifyPullPublishKey(this.internalToken, streamKey);
    if (!pulled) return sha256Hex(streamKey);
    const stream = await this.db.liveStream.findUnique({ where: { id: pulled }, select: { streamKeyHash: true, inputType: true } });
    return stream?.inputType === 'pull' ? stream.streamKeyHash : sha256Hex(streamKey);
  }

  /** A refusal, or the go-ahead with the stream's latency mode (WHIP asks for keyframes at its segment length). */
  async precheck(streamKey: string): Promise<PrecheckAnswer> {
    const streamKeyHash = await this.keyHash(streamKey);
    const denied = await liveStreamState.precheckPublish(this.db, streamKeyHash);
    if (denied) return { allow: false, reason: denied.reason };
    const stream = await this.db.liveStream.findUnique({ where: { streamKeyHash }, select: { latencyMode: true } });
    return { allow: true, latencyMode: stream?.latencyMode };
  }

  async authorize(input: AuthorizeRequest, log: FastifyBaseLogger) {
    const keyPrefix = displayPrefix(input.streamKey);
    const streamKeyHash = await this.keyHash(input.streamKey);
    const known = this.refused.get(streamKeyHash);
    if (known && known.expires > Date.now()) return { allow: false as const, reason: known.reason };
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
      if (FINAL_REFUSALS.has(result.reason)) {
        // Clearing on overflow keeps memory bounded without LRU bookkeeping on the hot path.
        if (this.refused.size >= FINAL_REFUSALS_MAX) this.refused.clear();
        this.refused.set(streamKeyHash, { reason: result.reason as 'unknown_key' | 'deleted', expires: Date.now() + FINAL_REFUSAL_TTL_MS });
      }
      log.info({ keyPrefix, reason: result.reason, liveStreamId: result.stream?.id, ingestNodeId: input.ingestNodeId }, 'publish refused');
      return { allow: false as const, reason: result.reason };
    }
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
    const { keep } = await this.db.$transaction((tx) => liveStreamState.recordHeartbeat(tx, sessionId, stats, { urls: this.urls }));
    if (keep) await this.history.record(sessionId, stats);
    return { keep };
  }

  /** The ingest holds the publisher and has seen its first headers: the ladder and relays start. */
  async started(sessionId: string, stats?: Record<string, unknown>) {
    const { keep } = await this.db.$transaction((tx) => liveStreamState.publishStarted(tx, sessionId, stats, { urls: this.urls }));
    if (keep) await this.history.record(sessionId, stats);
    return { keep };
  }

  async nodeStarted(ingestNodeId: string, log: FastifyBaseLogger) {
    const orphans = await this.db.liveStreamSession.findMany({ where: { ingestNodeId, status: { in: ['connected', 'active'] } }, select: { id: true } });
    for (const { id } of orphans) await this.stopped(id);
    if (orphans.length) log.warn({ ingestNodeId, sessions: orphans.length }, 'ingest node restarted: its sessions lost their publishers');
    return { sessions: orphans.length };
  }

  async stopped(sessionId: string) {
    const t = await this.db.$transaction((tx) => liveStreamState.publishStopped(tx, sessionId, { urls: this.urls }));
    return { status: t ? t.stream.status : ('ignored' as const) };
  }
}
