// A rolling deploy: the API told to stop lets the requests in flight finish (none is cut) and
// takes no new connections.
import pg from 'pg';
import { parseDatabaseUrl } from '@airwave/db';
import { expect, it } from 'vitest';
import { startApi } from '../helpers.js';

it('finishes a request in flight when it is closed, and takes no new connections', async () => {
  const api = await startApi(import.meta.filename);
  const base = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const stream = (await api.call('POST', '/v1/live-streams', { body: { name: 'before the deploy' } })).body;
  const headers = { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json' };

  // Hold the stream's row so the PATCH below is still running when close() is called.
  const { schema } = parseDatabaseUrl(api.env.config.databaseUrl);
  const lock = new pg.Client({ connectionString: api.env.config.databaseUrl.replace(/\?.*$/, '') });
  await lock.connect();
  await lock.query('BEGIN');
  await lock.query(`SELECT id FROM "${schema}"."LiveStream" WHERE id = $1 FOR UPDATE`, [stream.id]);
  const inFlight = fetch(`${base}/v1/live-streams/${stream.id}`, { method: 'PATCH', headers, body: JSON.stringify({ name: 'renamed during the deploy' }) });
  await new Promise((r) => setTimeout(r, 300));

  let closedAt = 0;
  const closed = api.app.close().then(() => (closedAt = Date.now()));
  await new Promise((r) => setTimeout(r, 300));
  expect(closedAt).toBe(0); // still waiting for the request in flight
  // A new connection is refused: the listener is closed, the load balancer sends it elsewhere.
  await expect(fetch(`${base}/healthz`)).rejects.toThrow();

  await lock.query('COMMIT');
  await lock.end();
  const res = await inFlight;
  const answeredAt = Date.now();
  expect(res.status).toBe(200);
  expect((await res.json()).name).toBe('renamed during the deploy');
  await closed;
  expect(closedAt).toBeGreaterThanOrEqual(answeredAt - 50);
  await api.close();
});
