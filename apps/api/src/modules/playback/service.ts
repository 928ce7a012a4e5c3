import { liveHlsUrl, NotFoundError, presentAsset, type PublicUrls } from '@airwave/core';
import type { Db } from '@airwave/db';

/** What a viewer may know about a stream: public by playback id, nothing about its owner. */
export type ViewerState = 'waiting' | 'live' | 'ended' | 'vod';

export class PlaybackService {
  constructor(
    private readonly db: Db,
    private readonly urls: PublicUrls,
  ) {}

  async status(playbackId: string): Promise<{ state: ViewerState; status: string; hlsUrl: string; latencyMode: 'standard' | 'low' }> {
    const stream = await this.db.liveStream.findFirst({
      where: { playbackId, deletedAt: null },
      select: { status: true, playbackId: true, latencyMode: true, _count: { select: { sessions: true } } },
    });
    if (!stream) {
      // A recording plays by its own playback id once it is ready.
      const asset = await this.db.asset.findFirst({ where: { playbackId, deletedAt: null } });
      if (!asset) throw new NotFoundError('Stream');
      const hlsUrl = presentAsset(asset, this.urls).playback.hlsUrl;
      return { state: asset.status === 'ready' ? 'vod' : 'waiting', status: asset.status, hlsUrl, latencyMode: 'standard' };
    }
    const state: ViewerState =
      stream.status === 'active' || stream.status === 'reconnecting'
        ? 'live'
        : stream.status === 'connected' || (stream.status === 'idle' && stream._count.sessions === 0)
          ? 'waiting'
          : 'ended';
    return { state, status: stream.status, hlsUrl: liveHlsUrl(this.urls, stream.playbackId), latencyMode: stream.latencyMode };
  }
}
