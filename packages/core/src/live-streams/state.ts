// The live-stream state machine (DESIGN.md §4). Every status change of a stream or a session is
// written here and nowhere else: each function checks its guard, writes the rows and records what
// follows from it (webhook events, jobs, control messages: the outbox) inside the caller's
// transaction, so a change and its effects commit together. Callers enqueue nothing themselves.
//
//   idle ─authorize→ connected ─first segment→ active ─encoder gone→ reconnecting ─window→ idle
//   any ─disable→ disabled ─enable→ idle
import type { Db, LiveStream, LiveStreamSession, LiveStreamStatus, Tx } from '@airwave/db';
import { InvalidStateError } from '@airwave/common';
import { recordEvent } from '../events/outbox.js';
import { recordControl, recordJob } from '../outbox/record.js';
import { updateHealthInputs } from './health.js';
import type { EventType } from '../events/types.js';
import { newId, newPlaybackId, recordingAssetId } from '@airwave/common';
import { presentAsset } from '../assets/presenter.js';
import { presentLiveStream, type PublicUrls } from './presenter.js';

export const LIVE_STATUSES: readonly LiveStreamStatus[] = ['connected', 'active', 'reconnecting'];
export const isLive = (s: LiveStream) => LIVE_STATUSES.includes(s.status);

/** An ingest that has not reported a live session for this long (two missed 5 s heartbeats) is presumed dead. */
export const STALE_SESSION_MS = 12_000;

export interface StateContext {
  urls: PublicUrls;
  now?: Date;
}

export interface Transition {
  stream: LiveStream;
  eventIds: string[];
  /** A session that was live and has just been ended: its publisher must be disconnected. */
  endedSession?: LiveStreamSession;
}

async function emit(tx: Tx, stream: LiveStream, types: EventType[], ctx: StateContext): Promise<string[]> {
  const data = presentLiveStream(stream, ctx.urls);
  const ids: string[] = [];
  for (const type of types) ids.push(await recordEvent(tx, stream.projectId, type, data, ctx.now));
  return ids;
}

/** Moves a stream to `to` only if it is still in one of `from` (the guard is part of the UPDATE). */
async function moveStream(
  tx: Tx,
  stream: LiveStream,
  from: readonly LiveStreamStatus[],
  to: LiveStreamStatus,
  now: Date,
  currentSessionId?: string | null,
): Promise<LiveStream> {
  const { count } = await tx.liveStream.updateMany({
    where: { id: stream.id, status: { in: [...from] }, deletedAt: null },
    data: { status: to, statusChangedAt: now, ...(currentSessionId !== undefined ? { currentSessionId } : {}) },
  });
  if (count !== 1) throw new InvalidStateError(`Live stream is ${stream.status} and cannot become ${to}`);
  return tx.liveStream.findUniqueOrThrow({ where: { id: stream.id } });
}

/**
 * Ends a session: its recording is finalized (or its segments cleaned up), and, when `disconnect`,
 * the ingest holding the publisher drops it and workers stop what they run for it.
 */
async function endSession(tx: Tx, sessionId: string, reason: string, now: Date, disconnect: boolean): Promise<LiveStreamSession> {
  const session = await tx.liveStreamSession.update({
    where: { id: sessionId },
    data: { status: 'ended', endedAt: now, endReason: reason },
  });
  await recordJob(tx, 'finalize', { sessionId });
  if (disconnect) await recordControl(tx, { type: 'stop-session', sessionId, ingestNodeId: session.ingestNodeId, reason });
  return session;
}

// ── publish lifecycle (called for the ingest through the internal API, and by the worker) ──────

export type DenyReason = 'unknown_key' | 'disabled' | 'deleted' | 'already_live';

export interface ClaimInput {
  streamKeyHash: string;
  ingestNodeId: string;
  ingestAddress: string;
  clientIp?: string;
}

export type ClaimResult =
  | { allow: false; reason: DenyReason; stream?: Pick<LiveStream, 'id'> }
  | { allow: true; stream: LiveStream; session: LiveStreamSession; resumed: boolean; eventIds: string[] };

/** What the publish rules read of a stream. */
type StreamWithSession = Pick<LiveStream, 'status' | 'deletedAt'> & { currentSession: Pick<LiveStreamSession, 'status' | 'lastSeenAt'> | null };

/** The publish rules, decided on a stream as read: a refusal, or whether the claim resumes a session. */
function publishVerdict(stream: StreamWithSession, now: Date): { deny: DenyReason } | { resumable: boolean } {
  if (stream.deletedAt) return { deny: 'deleted' };
  if (stream.status === 'disabled') return { deny: 'disabled' };
  const current = stream.currentSession;
  const stale = current !== null && now.getTime() - current.lastSeenAt.getTime() > STALE_SESSION_MS;
  const resumable = current !== null && current.status !== 'ended' && (stream.status === 'reconnecting' || stale);
  if (stream.status !== 'idle' && !resumable) return { deny: 'already_live' };
  return { resumable };
}

/**
 * Lock-free first look for the common refusals (unknown key, disabled, deleted, already live), so
 * they cost one indexed read. Undefined means "may be allowed": `claimPublish` decides under a lock.
 */
export async function precheckPublish(db: Db | Tx, streamKeyHash: string, now = new Date()): Promise<Extract<ClaimResult, { allow: false }> | undefined> {
  // One statement (stream and its session joined), only the columns the rules read: every encoder
  // retrying a refused key, and every publish, passes here (docs/control-plane.md).
  const [row] = await db.$queryRaw<
    { id: string; status: LiveStream['status']; deletedAt: Date | null; sessionStatus: LiveStreamSession['status'] | null; sessionLastSeenAt: Date | null }[]
  >`
    SELECT s."id", s."status", s."deletedAt", c."status" AS "sessionStatus", c."lastSeenAt" AS "sessionLastSeenAt"
    FROM "LiveStream" s LEFT JOIN "LiveStreamSession" c ON c."id" = s."currentSessionId"
    WHERE s."streamKeyHash" = ${streamKeyHash}`;
  if (!row) return { allow: false, reason: 'unknown_key' };
  const currentSession = row.sessionStatus && row.sessionLastSeenAt ? { status: row.sessionStatus, lastSeenAt: row.sessionLastSeenAt } : null;
  const verdict = publishVerdict({ status: row.status, deletedAt: row.deletedAt, currentSession }, now);
  return 'deny' in verdict ? { allow: false, reason: verdict.deny, stream: { id: row.id } } : undefined;
}

/**
 * Authorizes a publish and claims the stream for it: `idle → connected` with a new session, or a
 * reconnect inside the window (or after the holding ingest went silent) that resumes the session.
 */
export async function claimPublish(tx: Tx, input: ClaimInput, ctx: StateContext): Promise<ClaimResult> {
  const now = ctx.now ?? new Date();
  // The row lock serialises two encoders racing for one key: exactly one of them gets it.
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "LiveStream" WHERE "streamKeyHash" = ${input.streamKeyHash} FOR UPDATE`;
  if (locked.length === 0) return { allow: false, reason: 'unknown_key' };
  const stream = await tx.liveStream.findUniqueOrThrow({ where: { id: locked[0]!.id }, include: { currentSession: true } });
  const verdict = publishVerdict(stream, now);
  if ('deny' in verdict) return { allow: false, reason: verdict.deny, stream };
  const { resumable } = verdict;
  const current = stream.currentSession;

  const where = { ingestNodeId: input.ingestNodeId, ingestAddress: input.ingestAddress, clientIp: input.clientIp };
  let session: LiveStreamSession;
  if (resumable && current) {
    session = await tx.liveStreamSession.update({
      where: { id: current.id },
      data: { ...where, status: 'connected', lastSeenAt: now, disconnectedAt: null, reconnects: { increment: 1 } },
    });
  } else {
    session = await tx.liveStreamSession.create({
      data: { id: newId('session'), liveStreamId: stream.id, ...where, startedAt: now, lastSeenAt: now },
    });
  }
  const next = await moveStream(tx, stream, [stream.status], 'connected', now, session.id);
  const eventIds = await emit(tx, next, ['live_stream.connected'], ctx);
  return { allow: true, stream: next, session, resumed: resumable, eventIds };
}

/** A heartbeat from the ingest; answers whether the session is still wanted. */
export async function recordHeartbeat(
  tx: Tx,
  sessionId: string,
  stats: Record<string, unknown> | undefined,
  ctx: StateContext,
): Promise<{ keep: boolean; eventIds: string[] }> {
  const now = ctx.now ?? new Date();
  const { count } = await tx.liveStreamSession.updateMany({
    where: { id: sessionId, status: { in: ['connected', 'active'] } },
    data: { lastSeenAt: now },
  });
  if (count !== 1 || !stats) return { keep: count === 1, eventIds: [] };
  const session = await tx.liveStreamSession.findUniqueOrThrow({ where: { id: sessionId }, include: { liveStream: { select: { projectId: true } } } });
  return { keep: true, eventIds: await updateHealthInputs(tx, session, { stats }, ctx.urls) };
}

/**
 * The ingest holds the publisher and has seen its headers: a heartbeat, and the session's ladder and
 * simulcast relays start (their job ids are per session run, so a retried report starts nothing twice).
 */
export async function publishStarted(
  tx: Tx,
  sessionId: string,
  stats: Record<string, unknown> | undefined,
  ctx: StateContext,
): Promise<{ keep: boolean; eventIds: string[] }> {
  const beat = await recordHeartbeat(tx, sessionId, stats, ctx);
  if (!beat.keep) return beat;
  const session = await tx.liveStreamSession.findUniqueOrThrow({
    where: { id: sessionId },
    include: { liveStream: { include: { simulcastTargets: { select: { id: true } } } } },
  });
  const run = session.reconnects;
  await recordJob(tx, 'transcode', { sessionId, run });
  for (const t of session.liveStream.simulcastTargets) await recordJob(tx, 'simulcast', { sessionId, run, targetId: t.id });
  return beat;
}

/** The first playable segment is uploaded: `connected → active`. */
export async function markActive(tx: Tx, sessionId: string, ctx: StateContext): Promise<Transition | null> {
  const now = ctx.now ?? new Date();
  const session = await tx.liveStreamSession.findUnique({ where: { id: sessionId }, include: { currentOf: true } });
  const stream = session?.currentOf;
  if (!session || !stream || stream.status !== 'connected') return null;
  await tx.liveStreamSession.update({ where: { id: sessionId }, data: { status: 'active', lastSeenAt: now } });
  const next = await moveStream(tx, stream, ['connected'], 'active', now);
  const eventIds = await emit(tx, next, ['live_stream.active'], ctx);
  // A recorded session gets its asset the first time it is playable; a reconnect keeps the same one.
  if (stream.record && !(await tx.asset.findUnique({ where: { sessionId } }))) {
    const asset = await tx.asset.create({
      data: {
        id: recordingAssetId(sessionId),
        projectId: stream.projectId,
        liveStreamId: stream.id,
        sessionId,
        playbackId: newPlaybackId(),
        passthrough: stream.passthrough,
        // The recording is as private as the broadcast; the owner may change it on the asset.
        playbackPolicy: stream.playbackPolicy,
        allowedOrigins: stream.allowedOrigins,
      },
    });
    eventIds.push(await recordEvent(tx, stream.projectId, 'asset.created', presentAsset(asset, ctx.urls), now));
  }
  return { stream: next, eventIds };
}

/**
 * The encoder's connection closed: workers stop what pulls it. Inside a reconnect window the session
 * waits in `reconnecting` until its expiry job (or the sweeper) ends it; with no window it ends at once.
 */
export async function publishStopped(tx: Tx, sessionId: string, ctx: StateContext): Promise<(Transition & { reconnectDeadline?: Date }) | null> {
  const now = ctx.now ?? new Date();
  const session = await tx.liveStreamSession.findUnique({ where: { id: sessionId }, include: { currentOf: true } });
  const stream = session?.currentOf;
  if (!session || !stream || (stream.status !== 'connected' && stream.status !== 'active')) return null;
  await recordControl(tx, { type: 'publish-stopped', sessionId });
  if (stream.reconnectWindowSeconds > 0) {
    await tx.liveStreamSession.update({ where: { id: sessionId }, data: { status: 'reconnecting', disconnectedAt: now } });
    const next = await moveStream(tx, stream, ['connected', 'active'], 'reconnecting', now);
    const reconnectDeadline = new Date(now.getTime() + stream.reconnectWindowSeconds * 1000);
    await recordJob(tx, 'reconnectWindow', { sessionId, disconnectedAt: now.getTime() }, reconnectDeadline);
    return { stream: next, eventIds: await emit(tx, next, ['live_stream.disconnected'], ctx), reconnectDeadline };
  }
  await tx.liveStreamSession.update({ where: { id: sessionId }, data: { disconnectedAt: now } });
  const endedSession = await endSession(tx, sessionId, 'publisher_disconnected', now, false);
  const next = await moveStream(tx, stream, ['connected', 'active'], 'idle', now, null);
  return { stream: next, endedSession, eventIds: await emit(tx, next, ['live_stream.disconnected', 'live_stream.idle'], ctx) };
}

/**
 * The reconnect window ran out with nobody back: `reconnecting → idle`. `disconnectedAt` names the
 * disconnect the window belongs to: an older window's expiry must not end a later one.
 */
export async function expireReconnectWindow(tx: Tx, sessionId: string, disconnectedAt: number, ctx: StateContext): Promise<Transition | null> {
  const now = ctx.now ?? new Date();
  const session = await tx.liveStreamSession.findUnique({ where: { id: sessionId }, include: { currentOf: true } });
  const stream = session?.currentOf;
  if (!session || !stream || stream.status !== 'reconnecting' || session.disconnectedAt?.getTime() !== disconnectedAt) return null;
  // Not before the window is over (a second's slack: the API's and this host's clocks may differ).
  if (now.getTime() + 1000 < disconnectedAt + stream.reconnectWindowSeconds * 1000) return null;
  const endedSession = await endSession(tx, sessionId, 'reconnect_window_expired', now, false);
  const next = await moveStream(tx, stream, ['reconnecting'], 'idle', now, null);
  return { stream: next, endedSession, eventIds: await emit(tx, next, ['live_stream.idle'], ctx) };
}

// ── owner actions (API) ─────────────────────────────────────────────────────────────────────────

/** Ends whatever session holds the stream and moves it to `to`, emitting `extra` after `disconnected`. */
async function endLive(tx: Tx, stream: LiveStream, to: 'idle' | 'disabled', reason: string, ctx: StateContext) {
  const now = ctx.now ?? new Date();
  const wasConnected = stream.status === 'connected' || stream.status === 'active';
  const endedSession = stream.currentSessionId ? await endSession(tx, stream.currentSessionId, reason, now, true) : undefined;
  const next = await moveStream(tx, stream, [stream.status], to, now, null);
  const types: EventType[] = wasConnected ? ['live_stream.disconnected'] : [];
  return { next, endedSession, types };
}

/** `POST …/complete`: end the current session now, without waiting for a reconnect. */
export async function completeSession(tx: Tx, stream: LiveStream, ctx: StateContext): Promise<Transition> {
  if (!isLive(stream)) throw new InvalidStateError('Live stream has no session in progress');
  const { next, endedSession, types } = await endLive(tx, stream, 'idle', 'completed', ctx);
  return { stream: next, endedSession, eventIds: await emit(tx, next, [...types, 'live_stream.idle'], ctx) };
}

/** `POST …/disable`: refuses publishes from now on and ends the current one. Idempotent. */
export async function disableStream(tx: Tx, stream: LiveStream, ctx: StateContext): Promise<Transition> {
  if (stream.status === 'disabled') return { stream, eventIds: [] };
  const { next, endedSession, types } = await endLive(tx, stream, 'disabled', 'disabled', ctx);
  return { stream: next, endedSession, eventIds: await emit(tx, next, [...types, 'live_stream.disabled'], ctx) };
}

/** `POST …/enable`: `disabled → idle`. Idempotent. */
export async function enableStream(tx: Tx, stream: LiveStream, ctx: StateContext): Promise<Transition> {
  if (stream.status !== 'disabled') return { stream, eventIds: [] };
  const next = await moveStream(tx, stream, ['disabled'], 'idle', ctx.now ?? new Date());
  // A pulled source is pulled again (a disabled stream's pull stopped by itself).
  if (next.inputType === 'pull') await recordJob(tx, 'pull', { liveStreamId: next.id, at: (ctx.now ?? new Date()).getTime() });
  return { stream: next, eventIds: await emit(tx, next, ['live_stream.enabled'], ctx) };
}

/** `DELETE`: the stream disappears from the API, its key is refused as `deleted`, recordings stay. */
export async function deleteStream(tx: Tx, stream: LiveStream, ctx: StateContext): Promise<Transition> {
  const now = ctx.now ?? new Date();
  let current = stream;
  let endedSession: LiveStreamSession | undefined;
  const types: EventType[] = [];
  if (isLive(stream)) {
    const ended = await endLive(tx, stream, 'idle', 'deleted', ctx);
    [current, endedSession] = [ended.next, ended.endedSession];
    types.push(...ended.types);
  }
  const next = await tx.liveStream.update({ where: { id: current.id }, data: { deletedAt: now } });
  return { stream: next, endedSession, eventIds: await emit(tx, next, [...types, 'live_stream.deleted'], ctx) };
}
