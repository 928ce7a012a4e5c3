import { storageLayout } from '@airwave/common';
import type { Asset } from '@airwave/db';
import type { PublicUrls } from '../live-streams/presenter.js';
import type { ClipSpec } from './clip.js';

/** The one JSON shape of an asset, for the API and `asset.*` webhooks. */
export function presentAsset(a: Asset, urls: PublicUrls) {
  const base = `${urls.cdnBaseUrl}/${storageLayout.vod(a.id)}`;
  const ready = a.status === 'ready';
  return {
    id: a.id,
    liveStreamId: a.liveStreamId,
    sessionId: a.sessionId,
    status: a.status,
    durationSeconds: a.durationSeconds,
    playbackId: a.playbackId,
    playbackPolicy: a.playbackPolicy,
    allowedOrigins: a.allowedOrigins,
    playback: { policy: a.playbackPolicy, hlsUrl: `${base}/index.m3u8` },
    /** Appears a little after `ready`: the MP4 is remuxed once the HLS recording is playable. */
    mp4Url: ready && a.mp4Ready ? `${base}/recording.mp4` : null,
    thumbnailUrl: ready ? `${base}/thumbnail.jpg` : null,
    /** WebVTT of sprite-sheet tiles (`storyboard.jpg#xywh=…`) for seek-bar previews; a little after the MP4. */
    storyboardUrl: ready && a.storyboardReady ? `${base}/storyboard.vtt` : null,
    /** Distinct viewers of its media, live or on demand (updated about once a minute). */
    views: a.views,
    watchTimeSeconds: a.watchTimeSeconds,
    /** A clip: its source and the requested and actual ranges; null for a recording. */
    clip: (a.clip as ClipSpec | null) ?? null,
    passthrough: a.passthrough,
    errorMessage: a.errorMessage,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
