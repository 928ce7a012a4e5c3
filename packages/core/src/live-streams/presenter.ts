import type { LiveStream } from '@airwave/db';
import { decryptSecretCached } from '@airwave/common';
import { storageLayout } from '@airwave/common';
import { presentInput } from './pull-input.js';

/** The public addresses a representation needs; all come from config. */
export interface PublicUrls {
  rtmpBaseUrl: string;
  rtmpsBaseUrl: string;
  /** srt://host:port, or undefined when SRT ingest is off. */
  srtBaseUrl?: string;
  srtPassphrase?: string;
  cdnBaseUrl: string;
  apiPublicUrl: string;
  /** The WHIP endpoint of the ingest, or undefined when WHIP is off. */
  whipUrl?: string;
}

/** The addresses a process's config gives the outside world. */
export function publicUrls(config: {
  ingest: { rtmpBaseUrl: string; rtmpsBaseUrl: string; srt: { port: number; baseUrl: string; passphrase?: string }; whip: { port: number; url: string } };
  cdnBaseUrl: string;
  api: { publicUrl: string };
}): PublicUrls {
  const { ingest } = config;
  return {
    rtmpBaseUrl: ingest.rtmpBaseUrl,
    rtmpsBaseUrl: ingest.rtmpsBaseUrl,
    srtBaseUrl: ingest.srt.port ? ingest.srt.baseUrl : undefined,
    srtPassphrase: ingest.srt.passphrase,
    cdnBaseUrl: config.cdnBaseUrl,
    apiPublicUrl: config.api.publicUrl,
    whipUrl: ingest.whip.port ? ingest.whip.url : undefined,
  };
}

/** The one URL an SRT encoder needs: the key travels as the stream id. */
export function srtIngestUrl(urls: PublicUrls, streamKey: string): string | null {
  if (!urls.srtBaseUrl) return null;
  const passphrase = urls.srtPassphrase ? `&passphrase=${encodeURIComponent(urls.srtPassphrase)}` : '';
  return `${urls.srtBaseUrl}?streamid=${encodeURIComponent(streamKey)}${passphrase}`;
}

export const liveHlsUrl = (urls: PublicUrls, playbackId: string) => `${urls.cdnBaseUrl}/${storageLayout.liveMaster(playbackId)}`;
/** The WHEP entry point (the API; it sends each viewer on to a WebRTC edge). */
export const liveWhepUrl = (urls: PublicUrls, playbackId: string) => `${urls.apiPublicUrl}/whep/${playbackId}`;

export interface PresentOptions {
  /** The owner sees the stream key in API responses; webhooks and logs never carry it. */
  streamKey?: { encryptionKey: Buffer };
}

/** The one JSON shape of a live stream, used by the API and in `live_stream.*` webhook data. */
export function presentLiveStream(s: LiveStream, urls: PublicUrls, opts: PresentOptions = {}) {
  const streamKey = opts.streamKey ? decryptSecretCached(s.streamKeyEncrypted, opts.streamKey.encryptionKey) : undefined;
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    statusChangedAt: s.statusChangedAt.toISOString(),
    record: s.record,
    playbackPolicy: s.playbackPolicy,
    latencyMode: s.latencyMode,
    reconnectWindowSeconds: s.reconnectWindowSeconds,
    dvrWindowSeconds: s.dvrWindowSeconds,
    input: presentInput(s),
    renditions: s.renditions,
    passthrough: s.passthrough,
    allowedOrigins: s.allowedOrigins,
    whipUrl: urls.whipUrl ?? null,
    ...(streamKey !== undefined
      ? {
          streamKey,
          rtmpUrl: urls.rtmpBaseUrl,
          rtmpsUrl: urls.rtmpsBaseUrl,
          ingestUrl: `${urls.rtmpBaseUrl}/${streamKey}`,
          srtUrl: srtIngestUrl(urls, streamKey),
        }
      : { rtmpUrl: urls.rtmpBaseUrl, rtmpsUrl: urls.rtmpsBaseUrl }),
    playbackId: s.playbackId,
    /** Refreshed about every 10 s while the stream is active. */
    thumbnailUrl: `${urls.cdnBaseUrl}/${storageLayout.thumbnail(s.playbackId)}`,
    playback: {
      policy: s.playbackPolicy,
      hlsUrl: liveHlsUrl(urls, s.playbackId),
      whepUrl: liveWhepUrl(urls, s.playbackId),
      playerUrl: `${urls.apiPublicUrl}/play/${s.playbackId}`,
    },
    currentSessionId: s.currentSessionId,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export type LiveStreamView = ReturnType<typeof presentLiveStream>;
