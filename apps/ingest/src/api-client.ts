// The ingest's only link to state: the API's internal endpoints (their contract is declared once in
// @airwave/jobs ingest-api.ts). Every call has a deadline, so an unreachable API means a refused
// publish (fail closed), never a hung encoder.
import type { Config } from '@airwave/config';
import type { AuthorizeAnswer, AuthorizeRequest, KeepAnswer, NodeStartedAnswer, PrecheckAnswer, SessionStats, StoppedAnswer } from '@airwave/jobs';

export type { AuthorizeAnswer, SessionStats } from '@airwave/jobs';

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
  authorize(input: AuthorizeRequest) {
    return this.post<AuthorizeAnswer>('/ingest/authorize', input, AUTHORIZE_TIMEOUT_MS);
  }

  precheck(streamKey: string) {
    return this.post<PrecheckAnswer>('/ingest/precheck', { streamKey });
  }

  started(sessionId: string, stats: SessionStats) {
    return this.post<KeepAnswer>(`/ingest/sessions/${sessionId}/started`, { stats });
  }

  heartbeat(sessionId: string, stats: SessionStats) {
    return this.post<KeepAnswer>(`/ingest/sessions/${sessionId}/heartbeat`, { stats });
  }

  nodeStarted(nodeId: string) {
    return this.post<NodeStartedAnswer>(`/ingest/nodes/${encodeURIComponent(nodeId)}/started`);
  }

  stopped(sessionId: string) {
    return this.post<StoppedAnswer>(`/ingest/sessions/${sessionId}/stopped`);
  }
}
