import type { Config } from '@airwave/config';
import {
  assessHealth,
  checkTargetUrl,
  maskPullUrl,
  pullUrlProblem,
  recordJob,
  eventRowsSql,
  jobRowSql,
  type CursorCodec,
  displayPrefix,
  encryptSecret,
  generateStreamKey,
  liveStreamState,
  newId,
  newPlaybackId,
  normaliseRenditions,
  NotFoundError,
  presentLiveStream,
  recordEvent,
  sha256Hex,
  paginate,
  type PageRequest,
  ValidationError,
  type PublicUrls,
  type StateContext,
  type Transition,
} from '@airwave/core';
import type { LiveStream, LiveStreamSession, LiveStreamStatus, Tx } from '@airwave/db';
import type { Static } from 'typebox';
import type { StatsHistory } from './stats-history.js';
import type { StreamViewers } from './viewers.js';
import { normaliseOrigins } from '../../lib/schemas.js';
import type { SimulcastTargetService } from '../simulcast-targets/service.js';
import type { LiveStreamRepository, RecentAsset } from './repository.js';
import type { CreateLiveStreamBody, UpdateLiveStreamBody } from './schemas.js';

type CreateInput = Static<typeof CreateLiveStreamBody>;
type UpdateInput = Static<typeof UpdateLiveStreamBody>;

const PASSTHROUGH_MAX_BYTES = 1024;

function checkPassthrough(value: string | null | undefined): void {
  if (value && Buffer.byteLength(value, 'utf8') > PASSTHROUGH_MAX_BYTES) {
    throw new ValidationError('passthrough must be at most 1 KB', [{ field: 'passthrough', message: 'longer than 1024 bytes' }]);
  }
}

export class LiveStreamService {
  constructor(
    private readonly repo: LiveStreamRepository,
    private readonly simulcast: SimulcastTargetService,
    private readonly config: Config,
    private readonly urls: PublicUrls,
    private readonly cursors: CursorCodec,
    private readonly history: StatsHistory,
    private readonly viewers: StreamViewers,
  ) {}

  private get ctx(): StateContext {
    return { urls: this.urls };
  }

  /**
   * The owner's view: stream key included, the recordings of its latest broadcasts, and its viewers
   * (`current` from the edges' counts, given by `list` for a whole page at once).
   */
  async present(stream: LiveStream & { currentSession?: { viewersPeak: number } | null }, assets?: RecentAsset[], current?: number) {
    const recent = assets ?? (await this.repo.recentAssets(stream.id));
    const now = current ?? (stream.currentSessionId ? (await this.viewers.current([stream]))[0]! : 0);
    const peak =
      stream.currentSession !== undefined
        ? (stream.currentSession?.viewersPeak ?? 0)
        : stream.currentSessionId
          ? await this.repo.sessionPeak(stream.currentSessionId)
          : 0;
    return {
      ...presentLiveStream(stream, this.urls, { streamKey: { encryptionKey: this.config.encryptionKey } }),
      viewers: { current: stream.currentSessionId ? now : 0, peak: stream.currentSessionId ? Math.max(peak, now) : 0 },
      activeAssetId: recent.find((a) => a.sessionId !== null && a.sessionId === stream.currentSessionId)?.id ?? null,
      recentAssetIds: recent.map((a) => a.id),
    };
  }

  /** GET by id: the stream, its recent recordings and its session's peak in one read. */
  async presentOne(projectId: string, id: string) {
    const stream = await this.repo.findForView(projectId, id);
    if (!stream) throw new NotFoundError('Live stream');
    return this.present(stream, stream.assets);
  }

  async get(projectId: string, id: string): Promise<LiveStream> {
    const stream = await this.repo.find(projectId, id);
    if (!stream) throw new NotFoundError('Live stream');
    return stream;
  }

  private keyFields(streamKey: string) {
    return {
      streamKeyHash: sha256Hex(streamKey),
      streamKeyEncrypted: encryptSecret(streamKey, this.config.encryptionKey),
      streamKeyPrefix: displayPrefix(streamKey),
    };
  }

  /** A stream's input as stored: a pull URL is checked (scheme, SSRF rules) and sealed. */
  private async inputFields(input: CreateInput['input']) {
    if (!input || input.type === 'push')
      return { inputType: 'push' as const, inputUrlEncrypted: null, inputUrlMasked: null, inputState: null, inputError: null };
    const problem = pullUrlProblem(input.url);
    if (problem) throw new ValidationError(`input.url: ${problem}`, [{ field: 'input.url', message: problem }]);
    const verdict = await checkTargetUrl(input.url, this.config.allowPrivateTargets);
    if (!verdict.ok) throw new ValidationError(`input.url is not allowed: ${verdict.reason}`, [{ field: 'input.url', message: verdict.reason }]);
    return {
      inputType: 'pull' as const,
      inputUrlEncrypted: encryptSecret(input.url, this.config.secretsKey, 's1'),
      inputUrlMasked: maskPullUrl(input.url),
      inputState: 'connecting',
      inputError: null,
    };
  }

  async create(projectId: string, input: CreateInput): Promise<LiveStream> {
    checkPassthrough(input.passthrough);
    const targets = await Promise.all((input.simulcastTargets ?? []).map((t) => this.simulcast.prepare(t)));
    const source = await this.inputFields(input.input);
    const now = new Date();
    const stream: LiveStream = {
      id: newId('liveStream'),
      projectId,
      name: input.name,
      status: 'idle',
      statusChangedAt: now,
      record: input.record ?? true,
      playbackPolicy: input.playbackPolicy ?? 'public',
      latencyMode: input.latencyMode ?? 'standard',
      reconnectWindowSeconds: input.reconnectWindowSeconds ?? 60,
      dvrWindowSeconds: input.dvrWindowSeconds ?? 0,
      ...source,
      renditions: normaliseRenditions(input.renditions),
      passthrough: input.passthrough ?? null,
      allowedOrigins: normaliseOrigins(input.allowedOrigins),
      playbackId: newPlaybackId(),
      ...this.keyFields(generateStreamKey()),
      currentSessionId: null,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    // The row, its targets, its event and (pull) its first pull job: one statement (docs/control-plane.md).
    await this.repo.insert(stream, targets, [
      ...eventRowsSql(projectId, 'live_stream.created', presentLiveStream(stream, this.urls), now),
      ...(stream.inputType === 'pull' ? [jobRowSql('pull', { liveStreamId: stream.id, at: Date.now() })] : []),
    ]);
    return stream;
  }

  list(projectId: string, q: PageRequest & { status?: LiveStreamStatus }) {
    return paginate(
      this.cursors,
      `live-streams:${projectId}:${q.status ?? ''}`,
      q,
      (take, after) => this.repo.list(projectId, take, after, q.status),
      (s) => s,
    ).then(async (page) => {
      const current = await this.viewers.current(page.data);
      return { ...page, data: await Promise.all(page.data.map((s, i) => this.present(s, s.assets, current[i]))) };
    });
  }

  async update(projectId: string, id: string, input: UpdateInput): Promise<LiveStream> {
    checkPassthrough(input.passthrough);
    const { input: newInput, ...fields } = input;
    const source = newInput ? await this.inputFields(newInput) : undefined;
    return this.changeAndEmit(projectId, id, async (tx, stream) => {
      const renditions = fields.renditions ? normaliseRenditions(fields.renditions) : undefined;
      const allowedOrigins = fields.allowedOrigins ? normaliseOrigins(fields.allowedOrigins) : undefined;
      const updated = await this.repo.update(tx, stream.id, { ...fields, renditions, allowedOrigins, ...source });
      // A new source: the running pull notices and stops; this job pulls the new one.
      if (source?.inputType === 'pull' && updated.status !== 'disabled') await recordJob(tx, 'pull', { liveStreamId: stream.id, at: Date.now() });
      return updated;
    });
  }

  async resetStreamKey(projectId: string, id: string): Promise<LiveStream> {
    return this.changeAndEmit(projectId, id, (tx, stream) => this.repo.update(tx, stream.id, this.keyFields(generateStreamKey())));
  }

  /** A plain field change: write it and emit `live_stream.updated` in one transaction. */
  private async changeAndEmit(projectId: string, id: string, change: (tx: Tx, s: LiveStream) => Promise<LiveStream>) {
    return this.repo.transaction(async (tx) => {
      const current = await this.repo.find(projectId, id, tx);
      if (!current) throw new NotFoundError('Live stream');
      const stream = await change(tx, current);
      await recordEvent(tx, projectId, 'live_stream.updated', presentLiveStream(stream, this.urls));
      return stream;
    });
  }

  /** Runs a state-machine transition on a project's stream (it records its own effects). */
  private async transition(projectId: string, id: string, fn: (tx: Tx, s: LiveStream, ctx: StateContext) => Promise<Transition>): Promise<LiveStream> {
    const t = await this.repo.transaction(async (tx) => {
      const stream = await this.repo.find(projectId, id, tx);
      if (!stream) throw new NotFoundError('Live stream');
      return fn(tx, stream, this.ctx);
    });
    return t.stream;
  }

  disable = (projectId: string, id: string) => this.transition(projectId, id, liveStreamState.disableStream);
  enable = (projectId: string, id: string) => this.transition(projectId, id, liveStreamState.enableStream);
  complete = (projectId: string, id: string) => this.transition(projectId, id, liveStreamState.completeSession);
  delete = (projectId: string, id: string) => this.transition(projectId, id, liveStreamState.deleteStream);

  /** Distinct viewers per 10 s of the stream between `from` and `to` (at most 24 h). */
  async viewerSeries(projectId: string, id: string, from?: string, to?: string) {
    return this.viewers.series(await this.get(projectId, id), from, to);
  }

  /** The session's encoder stats over its last minutes, oldest first. */
  async sessionStats(projectId: string, id: string, sessionId: string) {
    const stream = await this.get(projectId, id);
    const session = await this.repo.findSession(stream.id, sessionId);
    if (!session) throw new NotFoundError('Session');
    return { sessionId: session.id, data: await this.history.read(session.id) };
  }

  async listSessions(projectId: string, id: string, q: PageRequest) {
    const stream = await this.get(projectId, id);
    return paginate(this.cursors, `sessions:${stream.id}`, q, (take, after) => this.repo.listSessions(stream.id, take, after), presentSession);
  }
}

export function presentSession(s: LiveStreamSession & { asset: { id: string } | null }) {
  return {
    id: s.id,
    liveStreamId: s.liveStreamId,
    status: s.status,
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    endReason: s.endReason,
    ingestNodeId: s.ingestNodeId,
    reconnects: s.reconnects,
    viewersPeak: s.viewersPeak,
    stats: (s.stats as Record<string, unknown> | null) ?? null,
    transcode: (s.transcodeStats as Record<string, unknown> | null) ?? null,
    health: assessHealth(s.stats as Record<string, unknown> | null, s.transcodeStats as Record<string, unknown> | null, s.error),
    lastSeenAt: s.lastSeenAt.toISOString(),
    transcodePath: s.transcodePath,
    error: s.error,
    assetId: s.asset?.id ?? null,
  };
}
