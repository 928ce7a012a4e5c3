// Stream health, as Mux and IVS show it: a verdict with machine-readable reasons, from the ingest's
// heartbeat stats (what the encoder sends) and the worker's transcode stats (whether we keep up).
import type { LiveStreamSession, Tx } from '@airwave/db';
import { recordEvent } from '../events/outbox.js';
import { LADDER } from './ladder.js';
import { presentLiveStream, type PublicUrls } from './presenter.js';

export type HealthVerdict = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthReason {
  code: string;
  severity: Exclude<HealthVerdict, 'healthy'>;
  message: string;
}

/** Keyframes further apart than this stall players joining and hurt every rendition's segments. */
export const MAX_KEYFRAME_INTERVAL_SECONDS = 4;
const rank: Record<HealthVerdict, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export function assessHealth(
  stats: Record<string, unknown> | null,
  transcode: Record<string, unknown> | null,
  error: string | null = null,
): { verdict: HealthVerdict; reasons: HealthReason[] } {
  const s = stats ?? {};
  const t = transcode ?? {};
  const reasons: HealthReason[] = [];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  if (error) reasons.push({ code: 'input_unsupported', severity: 'unhealthy', message: error });
  const gap = num(s.keyframeIntervalSeconds);
  if (gap !== undefined && gap > MAX_KEYFRAME_INTERVAL_SECONDS) {
    reasons.push({ code: 'keyframe_interval_too_long', severity: 'degraded', message: `Keyframes every ${gap} s; set the encoder's keyframe interval to 2 s` });
  }
  const kbps = num(s.bitrateKbps);
  const lowest = LADDER[LADDER.length - 1]!.videoBitrate / 1000;
  if (typeof s.videoCodec === 'string' && kbps !== undefined && kbps > 0 && kbps < lowest) {
    reasons.push({
      code: 'bitrate_below_lowest_rendition',
      severity: 'degraded',
      message: `The encoder sends ${kbps} kbps, below the lowest rendition's ${lowest} kbps`,
    });
  }
  if (typeof s.videoCodec === 'string' && s.audioCodec === undefined) {
    reasons.push({ code: 'audio_missing', severity: 'degraded', message: 'The encoder sends no audio' });
  }
  const speed = num(t.speed);
  if (speed !== undefined && speed < 0.95) {
    reasons.push({
      code: 'transcoder_slower_than_realtime',
      severity: 'unhealthy',
      message: `The transcoder runs at ${speed}x real time: viewers fall behind`,
    });
  }
  const verdict = reasons.reduce<HealthVerdict>((v, r) => (rank[r.severity] > rank[v] ? r.severity : v), 'healthy');
  return { verdict, reasons };
}

/**
 * The one writer of a session's health inputs: stores new stats (ingest heartbeat) or transcode stats
 * (worker), re-assesses, and emits `live_stream.warning` in the same transaction when it got worse.
 */
export async function updateHealthInputs(
  tx: Tx,
  session: LiveStreamSession & { liveStream: { projectId: string } },
  patch: { stats?: Record<string, unknown>; transcodeStats?: Record<string, unknown> },
  urls: PublicUrls,
): Promise<string[]> {
  const stats = patch.stats ?? (session.stats as Record<string, unknown> | null);
  const transcode = patch.transcodeStats ?? (session.transcodeStats as Record<string, unknown> | null);
  const { verdict, reasons } = assessHealth(stats, transcode, session.error);
  await tx.liveStreamSession.update({
    where: { id: session.id },
    data: {
      ...(patch.stats ? { stats: patch.stats as object } : {}),
      ...(patch.transcodeStats ? { transcodeStats: patch.transcodeStats as object } : {}),
      health: verdict,
    },
  });
  if (rank[verdict] <= rank[session.health as HealthVerdict]) return [];
  const stream = await tx.liveStream.findUniqueOrThrow({ where: { id: session.liveStreamId } });
  return [
    await recordEvent(tx, session.liveStream.projectId, 'live_stream.warning', {
      ...presentLiveStream(stream, urls),
      sessionId: session.id,
      health: { verdict, reasons },
    }),
  ];
}
