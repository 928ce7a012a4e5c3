import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(import.meta.filename);
});
afterAll(() => api?.close());

const post = (key: string, body: unknown) => api.call('POST', '/v1/live-streams', { body, headers: { 'idempotency-key': key } });

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, creating one stream', async () => {
    const before = await api.env.db.liveStream.count();
    const first = await post('order-1', { name: 'Once' });
    const again = await post('order-1', { name: 'Once' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await api.env.db.liveStream.count()).toBe(before + 1);
    // The stored answer holds the stream key: it is kept encrypted, not in plain text.
    const record = await api.env.db.idempotencyRecord.findFirstOrThrow({ where: { key: 'order-1' } });
    expect(JSON.stringify(record)).not.toContain(first.body.streamKey);
  });

  it('answers 422 for the same key with another body', async () => {
    await post('order-2', { name: 'A' });
    const res = await post('order-2', { name: 'B' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('idempotency_key_reused');
  });

  it('keys are per project: another tenant may use the same key', async () => {
    await post('shared-key', { name: 'Mine' });
    const other = await api.newProject('other');
    const res = await api.call('POST', '/v1/live-streams', { key: other, body: { name: 'Mine' }, headers: { 'idempotency-key': 'shared-key' } });
    expect(res.status).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('concurrent retries with one key create one stream', async () => {
    const before = await api.env.db.liveStream.count();
    const results = await Promise.all(Array.from({ length: 5 }, () => post('race-1', { name: 'Race' })));
    expect(await api.env.db.liveStream.count()).toBe(before + 1);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of created) expect(r.body.id).toBe(created[0]!.body.id);
    for (const r of results.filter((r) => r.status !== 201)) expect(r.body.error.code).toBe('idempotency_in_progress');
  });

  it('does not store a validation failure as the answer', async () => {
    const bad = await post('fix-and-retry', { name: '' });
    expect(bad.status).toBe(400);
    const good = await post('fix-and-retry', { name: 'Fixed' });
    expect(good.status).toBe(201);
  });
});
