/// <reference lib="dom" />
// The web console in a real browser: sign in, create a stream, publish to it with ffmpeg, watch it
// go live and play, then see its recording appear and play. Screenshots land in test/output/.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { startEncoder, useStack } from './stack.js';

const stack = useStack(import.meta.filename);
const outputDir = path.resolve('test/output');

it('creates a stream, shows it live with a playing preview and health, then its recording', async () => {
  await mkdir(outputDir, { recursive: true });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  let encoder: ReturnType<typeof startEncoder> | undefined;
  try {
    await page.goto(`${stack.apiUrl}/console`);
    await page.waitForURL(/#\/login$/);
    await page.fill('input[name=apiKey]', 'aw_key_wrong');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=That API key is not valid.');
    await page.fill('input[name=apiKey]', stack.api.apiKey);
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/streams$/);

    await page.fill('input[name=name]', 'Console stream');
    await page.selectOption('select[name=latencyMode]', 'low');
    await page.click('text=Create live stream');
    await page.waitForURL(/#\/streams\/ls_/);
    const streamId = page.url().split('/').pop()!;
    const created = (await stack.api.call('GET', `/v1/live-streams/${streamId}`)).body;
    expect(created).toMatchObject({ name: 'Console stream', latencyMode: 'low', status: 'idle' });

    // What the page shows is what an encoder needs.
    const rtmpUrl = await page.inputValue('[data-testid=rtmp-url]');
    const streamKey = await page.inputValue('[data-testid=stream-key]');
    expect(await page.inputValue('[data-testid=rtmps-url]')).toMatch(/^rtmps:\/\//);
    expect(streamKey).toBe(created.streamKey);

    encoder = startEncoder(`${rtmpUrl}/${streamKey}`, { size: '640x360', seconds: 120 });
    await page.waitForFunction(() => document.querySelector('h1 [data-testid=status]')?.textContent === 'LIVE', undefined, { timeout: 60_000 });
    await page.waitForFunction(() => (document.querySelector('[data-testid=preview]') as HTMLVideoElement).currentTime > 1, undefined, { timeout: 40_000 });
    // Health: the encoder's figures and a chart of heartbeats (one every 5 s).
    await page.waitForFunction(() => /640×360 · 30 fps/.test(document.querySelector('[data-testid=health]')?.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=health-chart]') as HTMLElement).dataset.samples) >= 2, undefined, {
      timeout: 30_000,
    });
    // Viewers: the console's own preview and two player tabs are three viewers; the chart has points.
    const tabs = await Promise.all(
      [1, 2].map(async () => {
        const tab = await browser.newPage();
        await tab.goto(`${created.playback.playerUrl}?mode=standard`);
        return tab;
      }),
    );
    await page
      .waitForFunction(() => /^3 watching now/.test(document.querySelector('[data-testid=viewers]')?.textContent ?? ''), undefined, { timeout: 40_000 })
      .catch(async (err) => {
        throw new Error(`${(err as Error).message}: the console says "${await page.textContent('[data-testid=viewers]')}"`);
      });
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=viewers-chart]') as HTMLElement).dataset.points) > 0, undefined, {
      timeout: 10_000,
    });
    await Promise.all(tabs.map((t) => t.close()));
    // An instant clip of the last 30 s, from the button.
    await page.click('text=Clip the last 30 s');
    await page.waitForFunction(() => /Clip as_\w+ is being made/.test(document.querySelector('[data-testid=clip-note]')?.textContent ?? ''), undefined, {
      timeout: 10_000,
    });
    const live = path.join(outputDir, 'console-live.png');
    await page.screenshot({ path: live, fullPage: true });
    console.log(`console screenshot (live): ${live}`);

    await encoder.stop();
    await page.waitForFunction(
      () =>
        document.querySelector('h1 [data-testid=status]')?.textContent === 'reconnecting' ||
        document.querySelector('h1 [data-testid=status]')?.textContent === 'idle',
      undefined,
      { timeout: 30_000 },
    );
    await stack.api.call('POST', `/v1/live-streams/${streamId}/complete`);
    await page.waitForSelector('[data-testid^=asset-] .badge.ready', { timeout: 90_000 });
    await page.click('[data-testid^=asset-] >> text=Play');
    await page.waitForFunction(() => ((document.querySelector('[data-testid=recording-player]') as HTMLVideoElement | null)?.currentTime ?? 0) > 1, undefined, {
      timeout: 40_000,
    });
    const ended = path.join(outputDir, 'console-recording.png');
    await page.screenshot({ path: ended, fullPage: true });
    console.log(`console screenshot (recording): ${ended}`);
  } finally {
    await encoder?.stop();
    await browser.close();
  }
}, 240_000);

it('goes live from the browser camera over WHIP, then stops', async () => {
  const browser = await launchChromium({ fakeMedia: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  try {
    const created = (
      await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Camera stream', latencyMode: 'low', reconnectWindowSeconds: 0, renditions: ['360p'] } })
    ).body;
    await page.goto(`${stack.apiUrl}/console`);
    await page.fill('input[name=apiKey]', stack.api.apiKey);
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/streams$/);
    await page.goto(`${stack.apiUrl}/console#/streams/${created.id}`);
    expect(await page.inputValue('[data-testid=whip-url]')).toBe(created.whipUrl);
    await page.click('[data-testid=go-live]');
    await page.waitForFunction(() => document.querySelector('h1 [data-testid=status]')?.textContent === 'LIVE', undefined, { timeout: 60_000 });
    await page.waitForFunction(() => (document.querySelector('[data-testid=preview]') as HTMLVideoElement).currentTime > 1, undefined, { timeout: 40_000 });
    await page.screenshot({ path: path.join(outputDir, 'console-go-live.png'), fullPage: true });
    await page.click('[data-testid=go-live]'); // now "Stop"
    await page.waitForFunction(() => document.querySelector('h1 [data-testid=status]')?.textContent === 'idle', undefined, { timeout: 30_000 });
    expect(await page.textContent('[data-testid=go-live-note]')).toBe('Stopped.');
  } finally {
    await browser.close();
  }
}, 180_000);

it('manages API keys: a read key made on the keys page signs in, lists, and cannot create', async () => {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`${stack.apiUrl}/console`);
    await page.fill('input[name=apiKey]', stack.api.apiKey);
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/streams$/);
    await page.click('nav >> text=API keys');
    await page.waitForURL(/#\/api-keys$/);
    await page.fill('input[name=keyName]', 'dashboard');
    await page.click('button:has-text("Create key")');
    const secret = await page.inputValue('input[data-testid=new-key]');
    expect(secret).toMatch(/^aw_sk_/);
    const created = (await stack.api.call('GET', '/v1/api-keys')).body.data.find((k: { name: string }) => k.name === 'dashboard');
    expect(created.scopes).toEqual(['read']);
    expect(await page.textContent(`[data-testid=key-${created.id}] [data-testid=scopes]`)).toBe('read');
    await page.screenshot({ path: path.join(outputDir, 'console-api-keys.png'), fullPage: true });

    // Signed in with the new key: streams list, but creating one is refused with the API's reason.
    await page.click('#sign-out');
    await page.fill('input[name=apiKey]', secret);
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/streams$/);
    await page.fill('input[name=name]', 'Not allowed');
    await page.click('text=Create live stream');
    await page.waitForSelector('text=lacks the "write" scope');
    // Nor can it delete keys, its own included.
    await page.goto(`${stack.apiUrl}/console#/api-keys`);
    page.once('dialog', (d) => void d.accept());
    await page.click(`[data-testid=key-${created.id}] >> text=Delete`);
    await page.waitForSelector('text=lacks the "write" scope');

    // Deleted with a write key, the key stops working at once.
    expect((await stack.api.call('DELETE', `/v1/api-keys/${created.id}`)).status).toBe(204);
    expect((await stack.api.call('GET', '/v1/live-streams', { key: secret })).status).toBe(401);
  } finally {
    await browser.close();
  }
}, 60_000);
