import { liveHlsUrl, liveWhepUrl, NotFoundError, presentAsset, type PublicUrls } from '@airwave/core';
import type { Db } from '@airwave/db';
import { TtlCache } from '../../lib/ttl-cache.js';

/** What a viewer may know about a stream: public by playback id, nothing about its owner. */
export type ViewerState = 'waiting' | 'live' | 'ended' | 'vod';

type ViewerStatus = {
  state: ViewerState;
  status: string;
  hlsUrl: string;
  whepUrl: string | null;
  latencyMode: 'standard' | 'low';
  dvrWindowSeconds: number;
  storyboardUrl?: string | null;
};

export class PlaybackService {
  // Every player polls its status: one query per stream per second, however many viewers (the
  // answer says max-age=1 to CDNs as well). Unknown ids are not cached (a miss is a 404 throw).
  private readonly cache = new TtlCache<string, ViewerStatus>(1000, 50_000);

  constructor(
    private readonly db: Db,
    private readonly urls: PublicUrls,
  ) {}

  status(playbackId: string): Promise<ViewerStatus> {
    return this.cache.get(playbackId, () => this.load(playbackId));
  }

  private async load(playbackId: string): Promise<ViewerStatus> {
    const stream = await this.db.liveStream.findFirst({
      where: { playbackId, deletedAt: null },
      select: { status: true, playbackId: true, latencyMode: true, dvrWindowSeconds: true, _count: { select: { sessions: true } } },
    });
    if (!stream) {
      // A recording plays by its own playback id once it is ready.
      const asset = await this.db.asset.findFirst({ where: { playbackId, deletedAt: null } });
      if (!asset) throw new NotFoundError('Stream');
      const view = presentAsset(asset, this.urls);
      return {
        state: asset.status === 'ready' ? 'vod' : 'waiting',
        status: asset.status,
        hlsUrl: view.playback.hlsUrl,
        whepUrl: null,
        latencyMode: 'standard',
        dvrWindowSeconds: 0,
        storyboardUrl: view.storyboardUrl,
      };
    }
    const state: ViewerState =
      stream.status === 'active' || stream.status === 'reconnecting'
        ? 'live'
        : stream.status === 'connected' || (stream.status === 'idle' && stream._count.sessions === 0)
          ? 'waiting'
          : 'ended';
    return {
      state,
      status: stream.status,
      hlsUrl: liveHlsUrl(this.urls, stream.playbackId),
      whepUrl: liveWhepUrl(this.urls, stream.playbackId),
      latencyMode: stream.latencyMode,
      dvrWindowSeconds: stream.dvrWindowSeconds,
    };
  }
}
