// The ingest's only link to state: the API's internal endpoints. Every call has a deadline, so an
// unreachable API means a refused publish (fail closed), never a hung encoder.
import type { Config } from '@airwave/config';

export type AuthorizeAnswer =
  | { allow: false; reason: string }
  | { allow: true; liveStreamId: string; sessionId: string; resumed: boolean; latencyMode: 'standard' | 'low' };

export interface SessionStats {
  videoCodec?: string;
  /** RFC 6381, e.g. avc1.64001f, read from the encoder's AVC configuration record. */
  videoCodecString?: string;
  audioCodec?: string;
  width?: number;
  height?: number;
  fps?: number;
  bitrateKbps?: number;
  keyframeIntervalSeconds?: number;
  /** The encoder sends B-frames (frames out of display order). */
  bFrames?: boolean;
  /** Ingest wall time (ms) of the publish's content time 0: segments are stamped from it. */
  timelineEpochMs?: number;
}

const AUTHORIZE_TIMEOUT_MS = 10_000;

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 3000,
  ) {}

  static fromConfig(config: Config): ApiClient {
    return new ApiClient(config.api.internalUrl, config.internalToken);
  }

  private async post<T>(path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const res = await fetch(`${this.baseUrl}/internal${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`API answered ${res.status} to ${path}`);
    return (await res.json()) as T;
  }

  /**
   * A longer deadline than the other calls: the encoder streams on while it waits (nothing is pulled
   * or recorded before the answer), and a busy API (a fleet reconnecting at once) should not turn
   * into refused publishes. An unreachable API still refuses at once (connection refused, 5xx).
   */
  authorize(input: { streamKey: string; ingestNodeId: string; ingestAddress: string; clientIp?: string }) {
    return this.post<AuthorizeAnswer>('/ingest/authorize', input, AUTHORIZE_TIMEOUT_MS);
  }

  precheck(streamKey: string) {
    return this.post<{ allow: boolean; reason?: string; latencyMode?: 'standard' | 'low' }>('/ingest/precheck', { streamKey });
  }

  started(sessionId: string, stats: SessionStats) {
    return this.post<{ keep: boolean }>(`/ingest/sessions/${sessionId}/started`, { stats });
  }

  heartbeat(sessionId: string, stats: SessionStats) {
    return this.post<{ keep: boolean }>(`/ingest/sessions/${sessionId}/heartbeat`, { stats });
  }

  nodeStarted(nodeId: string) {
    return this.post<{ sessions: number }>(`/ingest/nodes/${encodeURIComponent(nodeId)}/started`);
  }

  stopped(sessionId: string) {
    return this.post<{ status: string }>(`/ingest/sessions/${sessionId}/stopped`);
  }
}
