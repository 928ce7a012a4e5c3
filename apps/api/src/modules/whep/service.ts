// The WHEP entry point of every stream (`playback.whepUrl`): the same playback policy as HLS
// (signed token, allowed origins), then a WebRTC edge with room for one more viewer, preferring one
// that already carries the stream. The viewer is sent there (307) with a short-lived ticket.
import { AppError, NotFoundError, ServiceUnavailableError, storageLayout } from '@airwave/core';
import type { Db } from '@airwave/db';
import { liveEdges, pickEdge, signWhepTicket } from '@airwave/jobs';
import type { Redis } from 'ioredis';
import type { PlaybackEdge, ViewerRequest } from '../playback/edge.js';

export class WhepEntry {
  constructor(
    private readonly db: Db,
    private readonly edge: PlaybackEdge,
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly internalToken: string,
  ) {}

  /** Viewers and capacity over every live edge (the autoscaler's metric). */
  async load() {
    const edges = await liveEdges(this.redis, this.redisPrefix);
    return {
      edges: edges.length,
      viewers: edges.reduce((n, e) => n + e.viewers, 0),
      capacity: edges.reduce((n, e) => n + e.maxViewers, 0),
      sessions: new Set(edges.flatMap((e) => e.sessions)).size,
    };
  }

  /** The edge URL this viewer's offer should go to; 403/404/503 as the WHEP spec's client expects. */
  async locate(playbackId: string, viewer: ViewerRequest): Promise<string> {
    await this.edge.authorize(storageLayout.liveMaster(playbackId), viewer);
    const stream = await this.db.liveStream.findFirst({ where: { playbackId, deletedAt: null }, include: { currentSession: true } });
    if (!stream) throw new NotFoundError('Live stream');
    const session = stream.currentSession;
    if (stream.status === 'reconnecting') throw new AppError(503, 'reconnecting', 'The encoder is reconnecting; retry shortly');
    if (stream.status !== 'active' || !session?.ingestAddress) throw new AppError(404, 'not_live', 'This live stream is not live right now');
    const stats = (session.stats ?? {}) as { videoCodec?: string; audioCodec?: string; bFrames?: boolean; fps?: number };
    const edges = await liveEdges(this.redis, this.redisPrefix);
    if (edges.length === 0) throw new ServiceUnavailableError('No real-time edge is running; play the HLS URL meanwhile');
    const edge = pickEdge(edges, session.id);
    if (!edge) throw new AppError(503, 'edge_full', 'Every real-time edge is at its viewer limit; retry shortly or play the HLS URL');
    const ticket = signWhepTicket(this.internalToken, {
      playbackId,
      sessionId: session.id,
      ingestAddress: session.ingestAddress,
      video: typeof stats.videoCodec === 'string',
      audio: typeof stats.audioCodec === 'string',
      bFrames: stats.bFrames,
      fps: stats.fps,
    });
    return `${edge.url}/whep/${playbackId}?t=${ticket}`;
  }
}
