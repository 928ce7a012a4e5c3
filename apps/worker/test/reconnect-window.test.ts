import { recordEvent } from '@airwave/core';
import { ingestGone, reportIngestAlive } from '@airwave/jobs';
import { expect, it } from 'vitest';
import { sweepExpiredWindows, sweepLadders, sweepOutbox, sweepStaleSessions } from '../src/sweepers.js';
import { reconnectWindowExpired } from '../src/processors/reconnect-window.js';
import { eventually, useApiAndWorker } from './helpers.js';
import { startReceiver } from './receiver.js';

const env = useApiAndWorker(import.meta.filename);

const internal = (path: string, body?: unknown) =>
  env.api.call('POST', `/internal${path}`, { key: null, headers: { authorization: 'Bearer test-internal-token-0123456789' }, body });

it('ends the session when the encoder does not come back within the window and emits connected, disconnected, idle', async () => {
  const rx = await startReceiver();
  await env.api.call('POST', '/v1/webhooks', { body: { url: rx.url } });
  const s = (await env.api.call('POST', '/v1/live-streams', { body: { name: 'Drop', reconnectWindowSeconds: 1 } })).body;
  const { sessionId } = (await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'n1', ingestAddress: 'rtmp://127.0.0.1:1935/live' })).body;
  expect((await internal(`/ingest/sessions/${sessionId}/stopped`)).body.status).toBe('reconnecting');

  const ended = await eventually(async () => {
    const got = (await env.api.call('GET', `/v1/live-streams/${s.id}`)).body;
    return got.status === 'idle' && got;
  });
  expect(ended.currentSessionId).toBeNull();
  const session = (await env.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
  expect(session).toMatchObject({ id: sessionId, status: 'ended', endReason: 'reconnect_window_expired' });

  const types = await eventually(async () => {
    const t = rx.received
      .map((r) => JSON.parse(r.body))
      .filter((e) => e.data.id === s.id)
      .map((e) => e.type);
    return t.length >= 4 && t;
  });
  expect(new Set(types)).toEqual(new Set(['live_stream.created', 'live_stream.connected', 'live_stream.disconnected', 'live_stream.idle']));
  await rx.close();
});

it('the outbox sweeper re-dispatches events that never reached the queue', async () => {
  const rx = await startReceiver();
  await env.api.call('POST', '/v1/webhooks', { body: { url: rx.url, events: ['live_stream.updated'] } });
  const s = (await env.api.call('POST', '/v1/live-streams', { body: { name: 'Lost' } })).body;
  // An event committed while Redis was unreachable: in the outbox, never enqueued.
  const eventId = await env.api.env.db.$transaction((tx) =>
    recordEvent(tx, env.api.projectId, 'live_stream.updated', { id: s.id }, new Date(Date.now() - 60_000)),
  );
  expect(await sweepOutbox(env.worker.ctx)).toBeGreaterThanOrEqual(1);
  const got = await eventually(async () => rx.received.find((r) => r.headers['webhook-id'] === eventId));
  expect(JSON.parse(got.body)).toMatchObject({ type: 'live_stream.updated', data: { id: s.id } });
  await rx.close();
});

it('a session whose ingest went silent enters the reconnect window', async () => {
  const s = (await env.api.call('POST', '/v1/live-streams', { body: { name: 'Lost ingest', reconnectWindowSeconds: 30 } })).body;
  const { sessionId } = (await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'gone', ingestAddress: 'rtmp://127.0.0.1:1935/live' }))
    .body;
  expect(await sweepStaleSessions(env.worker.ctx)).toBe(0);
  // The ingest died: no heartbeat for longer than the stale limit.
  await env.api.env.db.liveStreamSession.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(Date.now() - 60_000) } });
  expect(await sweepStaleSessions(env.worker.ctx)).toBe(1);
  expect((await env.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe('reconnecting');
  // The encoder comes back through another ingest: same session.
  const again = (await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'other', ingestAddress: 'rtmp://127.0.0.1:1936/live' })).body;
  expect(again).toMatchObject({ allow: true, sessionId, resumed: true });
});

it('a session on a live ingest node keeps going while its heartbeats cannot reach the API', async () => {
  const s = (await env.api.call('POST', '/v1/live-streams', { body: { name: 'API restarting', reconnectWindowSeconds: 30 } })).body;
  const { sessionId } = (
    await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'alive-node', ingestAddress: 'rtmp://127.0.0.1:1937/live' })
  ).body;
  // The node still says it is alive in Redis; the API was down, so no heartbeat was recorded.
  await reportIngestAlive(env.worker.ctx.queues.redis, env.worker.ctx.config.redis.prefix, 'alive-node');
  await env.api.env.db.liveStreamSession.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(Date.now() - 60_000) } });
  expect(await sweepStaleSessions(env.worker.ctx)).toBe(0);
  expect((await env.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).not.toBe('reconnecting');
  // The node dies too: its key goes, and the session enters its reconnect window.
  await ingestGone(env.worker.ctx.queues.redis, env.worker.ctx.config.redis.prefix, 'alive-node');
  expect(await sweepStaleSessions(env.worker.ctx)).toBe(1);
  expect((await env.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe('reconnecting');
});

it('a live session whose ladder job was never queued (API died after committing started) gets one from the sweeper', async () => {
  const s = (await env.api.call('POST', '/v1/live-streams', { body: { name: 'Lost job' } })).body;
  const { sessionId } = (await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'n9', ingestAddress: 'rtmp://127.0.0.1:1/live' })).body;
  const jobId = `transcode.${sessionId}.0`;
  const queue = env.api.queues.get('transcode');
  // Headers not seen yet (no stats): nothing to start.
  await env.api.env.db.liveStreamSession.update({ where: { id: sessionId }, data: { startedAt: new Date(Date.now() - 60_000) } });
  expect(await sweepLadders(env.worker.ctx)).toBe(0);
  // `started` was committed (stats written), then the process died before enqueueing.
  await env.api.env.db.liveStreamSession.update({
    where: { id: sessionId },
    data: { stats: { width: 640, height: 360, videoCodec: 'h264' }, lastSeenAt: new Date() },
  });
  expect(await queue.getJob(jobId)).toBeUndefined();
  expect(await sweepLadders(env.worker.ctx)).toBe(1);
  expect((await queue.getJob(jobId))?.data).toEqual({ sessionId, run: 0 });
  // Once it exists, sweeping again adds nothing.
  expect(await sweepLadders(env.worker.ctx)).toBe(0);
  await env.api.call('POST', `/v1/live-streams/${s.id}/complete`);
});

it("a reconnect window whose expiry job was lost is ended by the sweeper; an older window's expiry never ends a later one", async () => {
  const s = (await env.api.call('POST', '/v1/live-streams', { body: { name: 'Lost expiry', reconnectWindowSeconds: 5 } })).body;
  const { sessionId } = (await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'n1', ingestAddress: 'rtmp://127.0.0.1:1935/live' })).body;
  expect((await internal(`/ingest/sessions/${sessionId}/stopped`)).body.status).toBe('reconnecting');
  const { db } = env.api.env;
  const first = (await db.liveStreamSession.findUniqueOrThrow({ where: { id: sessionId } })).disconnectedAt!.getTime();
  // The encoder comes back and leaves again: a new window, with an expiry of its own.
  await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'n1', ingestAddress: 'rtmp://127.0.0.1:1935/live' });
  await new Promise((r) => setTimeout(r, 20));
  await internal(`/ingest/sessions/${sessionId}/stopped`);
  // The first window's expiry arrives late: the second window is still open, so nothing ends.
  expect(await reconnectWindowExpired(env.worker.ctx, { sessionId, disconnectedAt: first })).toEqual({ ended: false });
  expect((await env.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe('reconnecting');
  // Nothing is due yet for the sweeper either.
  expect(await sweepExpiredWindows(env.worker.ctx)).toBe(0);
  // Its own expiry job was lost (Redis lost it) and the window is long over: the sweeper ends it.
  await db.liveStreamSession.update({ where: { id: sessionId }, data: { disconnectedAt: new Date(Date.now() - 60_000) } });
  expect(await sweepExpiredWindows(env.worker.ctx)).toBe(1);
  expect((await env.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe('idle');
  const session = (await env.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
  expect(session).toMatchObject({ status: 'ended', endReason: 'reconnect_window_expired' });
  // The ending committed its finalize with it.
  const finalize = await db.outboxMessage.findMany({ where: { name: 'finalize' } });
  expect(finalize.map((m) => (m.payload as { sessionId: string }).sessionId)).toContain(sessionId);
  expect(await sweepExpiredWindows(env.worker.ctx)).toBe(0);
});

it('a transition that rolls back leaves no effect behind', async () => {
  const s = (await env.api.call('POST', '/v1/live-streams', { body: { name: 'Rolled back', reconnectWindowSeconds: 0 } })).body;
  const { sessionId } = (await internal('/ingest/authorize', { streamKey: s.streamKey, ingestNodeId: 'n1', ingestAddress: 'rtmp://127.0.0.1:1935/live' })).body;
  const { db } = env.api.env;
  const before = await db.outboxMessage.count();
  await expect(
    db.$transaction(async (tx) => {
      const { liveStreamState } = await import('@airwave/core');
      await liveStreamState.publishStopped(tx, sessionId, { urls: env.worker.ctx.urls });
      throw new Error('the caller failed after the transition');
    }),
  ).rejects.toThrow('the caller failed');
  expect(await db.outboxMessage.count()).toBe(before);
  expect((await env.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe('connected');
});
