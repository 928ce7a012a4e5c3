import type { LiveStream } from '@airwave/db';
import { decryptSecret } from '../secrets.js';

/** The public addresses a representation needs; all come from config. */
export interface PublicUrls {
  rtmpBaseUrl: string;
  cdnBaseUrl: string;
  apiPublicUrl: string;
}

export const liveHlsUrl = (urls: PublicUrls, playbackId: string) => `${urls.cdnBaseUrl}/live/${playbackId}/index.m3u8`;

export interface PresentOptions {
  /** The owner sees the stream key in API responses; webhooks and logs never carry it. */
  streamKey?: { encryptionKey: Buffer };
}

/** The one JSON shape of a live stream, used by the API and in `live_stream.*` webhook data. */
export function presentLiveStream(s: LiveStream, urls: PublicUrls, opts: PresentOptions = {}) {
  const streamKey = opts.streamKey ? decryptSecret(s.streamKeyEncrypted, opts.streamKey.encryptionKey) : undefined;
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    statusChangedAt: s.statusChangedAt.toISOString(),
    record: s.record,
    playbackPolicy: s.playbackPolicy,
    latencyMode: s.latencyMode,
    reconnectWindowSeconds: s.reconnectWindowSeconds,
    renditions: s.renditions,
    passthrough: s.passthrough,
    allowedOrigins: s.allowedOrigins,
    ...(streamKey !== undefined
      ? { streamKey, rtmpUrl: urls.rtmpBaseUrl, ingestUrl: `${urls.rtmpBaseUrl}/${streamKey}` }
      : { rtmpUrl: urls.rtmpBaseUrl }),
    playbackId: s.playbackId,
    /** Refreshed about every 10 s while the stream is active. */
    thumbnailUrl: `${urls.cdnBaseUrl}/thumbs/${s.playbackId}.jpg`,
    playback: {
      policy: s.playbackPolicy,
      hlsUrl: liveHlsUrl(urls, s.playbackId),
      playerUrl: `${urls.apiPublicUrl}/play/${s.playbackId}`,
    },
    currentSessionId: s.currentSessionId,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export type LiveStreamView = ReturnType<typeof presentLiveStream>;
