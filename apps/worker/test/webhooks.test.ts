import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { eventually, useApiAndWorker } from './helpers.js';
import { startReceiver } from './receiver.js';

const env = useApiAndWorker(import.meta.filename);

async function subscribe(url: string, key: string, events?: string[]) {
  const res = await env.api.call('POST', '/v1/webhooks', { key, body: { url, ...(events ? { events } : {}) } });
  expect(res.status).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  return res.body as { id: string; secret: string };
}

describe('webhook deliveries', () => {
  it('signs each delivery so the standardwebhooks package verifies it', async () => {
    const key = await env.api.newProject('signed');
    const rx = await startReceiver();
    const hook = await subscribe(rx.url, key);
    const stream = (await env.api.call('POST', '/v1/live-streams', { key, body: { name: 'Signed' } })).body;

    const got = await eventually(async () => rx.received.find((r) => r.body.includes('live_stream.created')));
    const payload = new Webhook(hook.secret).verify(got.body, got.headers as Record<string, string>) as any;
    expect(payload).toMatchObject({ type: 'live_stream.created', data: { id: stream.id, name: 'Signed', status: 'idle' } });
    expect(payload.data.streamKey).toBeUndefined();
    expect(got.body).not.toContain(stream.streamKey);
    // A tampered body fails verification.
    expect(() => new Webhook(hook.secret).verify(got.body.replace('Signed', 'Forged'), got.headers as Record<string, string>)).toThrow();
    await rx.close();
  });

  it('retries a receiver that answers 500 twice and records every attempt', async () => {
    const key = await env.api.newProject('flaky');
    const rx = await startReceiver([500, 500, 200]);
    const hook = await subscribe(rx.url, key, ['live_stream.created']);
    await env.api.call('POST', '/v1/live-streams', { key, body: { name: 'Retry me' } });

    await eventually(async () => rx.received.length >= 3 && rx.received);
    expect(rx.received.map((r) => r.status)).toEqual([500, 500, 200]);
    // Same webhook-id on every retry, so receivers can de-duplicate.
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);

    const deliveries = await eventually(async () => {
      const res = await env.api.call('GET', `/v1/webhooks/${hook.id}/deliveries`, { key });
      return res.body.data.length === 3 && res.body.data;
    });
    expect(deliveries.map((d: any) => [d.attempt, d.outcome, d.statusCode])).toEqual([
      [3, 'succeeded', 200],
      [2, 'failed', 500],
      [1, 'failed', 500],
    ]);
    expect(deliveries[1].nextAttemptAt).not.toBeNull();
    expect(deliveries[0].nextAttemptAt).toBeNull();
    expect(deliveries[0].durationMs).toBeGreaterThanOrEqual(0);
    await rx.close();
  });

  it('honours the events filter', async () => {
    const key = await env.api.newProject('filtered');
    const all = await startReceiver();
    const onlyDisabled = await startReceiver();
    await subscribe(all.url, key);
    await subscribe(onlyDisabled.url, key, ['live_stream.disabled']);
    const stream = (await env.api.call('POST', '/v1/live-streams', { key, body: { name: 'Filter' } })).body;
    await env.api.call('PATCH', `/v1/live-streams/${stream.id}`, { key, body: { name: 'Filter 2' } });
    await env.api.call('POST', `/v1/live-streams/${stream.id}/disable`, { key });
    await env.api.call('POST', `/v1/live-streams/${stream.id}/enable`, { key });
    await env.api.call('DELETE', `/v1/live-streams/${stream.id}`, { key });

    const types = (rx: typeof all) => rx.received.map((r) => JSON.parse(r.body).type).sort();
    await eventually(async () => all.received.length >= 5);
    expect(types(all)).toEqual(['live_stream.created', 'live_stream.deleted', 'live_stream.disabled', 'live_stream.enabled', 'live_stream.updated']);
    expect(types(onlyDisabled)).toEqual(['live_stream.disabled']);
    await Promise.all([all.close(), onlyDisabled.close()]);
  });

  it('does not deliver to a deleted endpoint', async () => {
    const key = await env.api.newProject('deleted-hook');
    const rx = await startReceiver();
    const hook = await subscribe(rx.url, key);
    expect((await env.api.call('DELETE', `/v1/webhooks/${hook.id}`, { key })).status).toBe(204);
    await env.api.call('POST', '/v1/live-streams', { key, body: { name: 'Nobody listens' } });
    // Wait until the event has been fanned out, then check nothing reached the deleted endpoint.
    await eventually(() =>
      env.api.env.db.event.findFirst({
        where: { type: 'live_stream.created', dispatchedAt: { not: null }, payload: { path: ['data', 'name'], equals: 'Nobody listens' } },
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received).toHaveLength(0);
    await rx.close();
  });
});
