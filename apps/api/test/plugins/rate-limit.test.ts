import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(import.meta.filename, { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' });
});
afterAll(() => api?.close());

it('limits each API key separately and answers 429 with Retry-After', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await api.call('GET', '/v1/live-streams')).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  const limited = await api.call('GET', '/v1/live-streams');
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe('rate_limited');
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

  // Another key has its own budget, counted in Redis (shared by every API replica).
  const other = await api.newProject('neighbour');
  expect((await api.call('GET', '/v1/live-streams', { key: other })).status).toBe(200);
  const keys = await api.redis.keys(`${api.env.name}:ratelimit:*`);
  expect(keys.length).toBeGreaterThanOrEqual(2);
  expect(keys.join()).not.toContain(api.apiKey);
});
