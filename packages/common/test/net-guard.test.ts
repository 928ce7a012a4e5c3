// SSRF guard: addresses are checked when a URL is saved and again by the socket that connects, so a
// name re-pointed inside our network after the check (DNS rebinding) is still refused.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTargetUrl, guardedLookup } from '../src/net-guard.js';

const server = createServer((_req, res) => res.end('ok'));
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('checkTargetUrl', () => {
  it('refuses loopback, private and metadata addresses unless private targets are allowed', async () => {
    for (const url of ['http://127.0.0.1/', 'http://10.1.2.3/', 'http://[::1]/', 'http://[::ffff:192.168.0.1]/', 'http://localhost/']) {
      expect((await checkTargetUrl(url, false)).ok, url).toBe(false);
    }
    expect((await checkTargetUrl('http://127.0.0.1/', true)).ok).toBe(true);
    expect((await checkTargetUrl('http://169.254.169.254/latest/meta-data/', true)).ok).toBe(false);
  });
});

describe('guardedLookup', () => {
  it('refuses at connection time a name that now resolves inside the network (DNS rebinding)', async () => {
    let calls = 0;
    const rebinding = guardedLookup(false, (_host, cb) => cb(null, [{ address: ++calls === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }]));
    const first = await new Promise<unknown>((r) => rebinding('hooks.example', {}, (err, address) => r(err ?? address)));
    expect(first).toBe('93.184.216.34');
    const second = await new Promise<unknown>((r) => rebinding('hooks.example', {}, (err) => r(err)));
    expect(second).toMatchObject({ code: 'ETARGETREFUSED' });
  });

  it('is what the delivering socket uses: localhost is refused, or allowed with ALLOW_PRIVATE_TARGETS', async () => {
    const strict = new Agent({ connect: { lookup: guardedLookup(false) } });
    const err = await fetch(`http://localhost:${port}/`, { dispatcher: strict }).catch((e: Error & { cause?: { code?: string } }) => e);
    expect((err as { cause?: { code?: string } }).cause?.code).toBe('ETARGETREFUSED');
    const open = new Agent({ connect: { lookup: guardedLookup(true) } });
    expect(await (await fetch(`http://localhost:${port}/`, { dispatcher: open })).text()).toBe('ok');
    await Promise.all([strict.close(), open.close()]);
  });
});
