// Ingest nodes are stateless and interchangeable; without the API they refuse publishes.
import { expect, it } from 'vitest';
import { ephemeralPort } from '../../scripts/up/net.js';
import { startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);

it('a second ingest node on another port serves publishes, and the session records which node holds it', async () => {
  const port = await ephemeralPort();
  await stack.startIngest(port);
  const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'node two', latencyMode: 'low', renditions: ['240p'] } })).body;
  const enc = startEncoder(`rtmp://127.0.0.1:${port}/live/${s.streamKey}`, { size: '640x360', seconds: 60 });
  try {
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'active', 40_000, 'active via node two');
    const session = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
    expect(session.ingestNodeId).toBe(`ingest-${port}`);
    const row = await stack.api.env.db.liveStreamSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.ingestAddress).toBe(`rtmp://127.0.0.1:${port}/live`);
  } finally {
    await enc.stop();
  }
}, 90_000);

it('refuses publishes while the API is unreachable (fail closed) and keeps running', async () => {
  const port = await ephemeralPort();
  const deadApi = `http://127.0.0.1:${await ephemeralPort()}`;
  const node = await stack.startIngest(port, { API_INTERNAL_URL: deadApi });
  const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'api down' } })).body;
  const enc = startEncoder(`rtmp://127.0.0.1:${port}/live/${s.streamKey}`, { size: '320x240', seconds: 30 });
  expect(await enc.exited).not.toBe(0);
  expect(stack.logs.some((l) => l.startsWith(`ingest-${port}:`) && l.includes('api_unreachable'))).toBe(true);
  expect(node.child.exitCode).toBeNull();
  expect((await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe('idle');
}, 60_000);

it('disable, complete and delete really disconnect the publisher', async () => {
  for (const [action, method, path, after] of [
    ['disable', 'POST', '/disable', 'disabled'],
    ['complete', 'POST', '/complete', 'idle'],
    ['delete', 'DELETE', '', undefined],
  ] as const) {
    const s = (
      await stack.api.call('POST', '/v1/live-streams', { body: { name: action, latencyMode: 'low', renditions: ['240p'], reconnectWindowSeconds: 60 } })
    ).body;
    const enc = startEncoder(s.ingestUrl, { size: '320x240', seconds: 120 });
    try {
      await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'active', 40_000, `${action}: active`);
      const res = await stack.api.call(method, `/v1/live-streams/${s.id}${path}`);
      expect(res.status, action).toBeLessThan(300);
      // The encoder is cut off at once, long before its 120 s are up.
      const gone = await Promise.race([enc.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
      expect(gone, `${action}: encoder disconnected`).toBe(true);
      if (after) expect((await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe(after);
    } finally {
      await enc.stop();
    }
  }
}, 150_000);

it('a node told to stop (SIGTERM) drains: no new publishes, the current one keeps going until the deadline, then resumes on another node', async () => {
  const port = await ephemeralPort();
  const node = await stack.startIngest(port, { INGEST_DRAIN_SECONDS: '4' });
  const s = (
    await stack.api.call('POST', '/v1/live-streams', { body: { name: 'drain', latencyMode: 'low', renditions: ['240p'], reconnectWindowSeconds: 60 } })
  ).body;
  let enc = startEncoder(`rtmp://127.0.0.1:${port}/live/${s.streamKey}`, { size: '320x240', seconds: 120 });
  try {
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'active', 40_000, 'active on the draining node');
    node.child.kill('SIGTERM');
    await waitFor(() => stack.logs.some((l) => l.startsWith(`ingest-${port}:`) && l.includes('draining')), 5000, 'drain started');
    // New connections are refused at once: a load balancer sends the encoder elsewhere.
    const late = startEncoder(`rtmp://127.0.0.1:${port}/live/${s.streamKey}`, { size: '320x240', seconds: 10 });
    expect(await late.exited).not.toBe(0);
    // The publisher already there is not cut off before the deadline.
    await new Promise((r) => setTimeout(r, 2000));
    expect(enc.child.exitCode).toBeNull();
    expect((await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status).toBe('active');
    // At the deadline it is closed, the node exits, and the encoder comes back through the main node.
    expect(await enc.exited).not.toBeNull();
    await waitFor(() => node.child.exitCode !== null, 10_000, 'node exited after draining');
    enc = startEncoder(`${s.rtmpUrl}/${s.streamKey}`, { size: '320x240', seconds: 60 });
    await waitFor(
      async () => {
        const sessions = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
        return sessions.length === 1 && sessions[0].reconnects === 1 && sessions[0].status === 'active';
      },
      40_000,
      'the same session resumed on the other node',
    );
  } finally {
    await enc.stop();
  }
}, 120_000);
