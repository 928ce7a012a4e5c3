// Encrypted and alternative ingest: RTMPS, and what a confused client sends to the wrong port.
import net from 'node:net';
import tls from 'node:tls';
import { expect, it } from 'vitest';
import { startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);

const status = async (id: string) => (await stack.api.call('GET', `/v1/live-streams/${id}`)).body.status as string;

/** Resolves when the server closes the connection (or fails the handshake), with what happened. */
function closedBy(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still open'), 15_000);
    const done = (what: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    socket.once('error', (err) => done(`error: ${err.message}`));
    socket.once('close', () => done('closed'));
    socket.once('end', () => done('closed'));
  });
}

it('publishes over rtmps:// with the URL the API gives, and refuses a wrong key there too', async () => {
  const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'tls', renditions: ['240p'], latencyMode: 'low', record: false, reconnectWindowSeconds: 0 } })).body;
  expect(s.rtmpsUrl).toBe(`rtmps://127.0.0.1:${stack.rtmpsPort}/live`);
  const encoder = startEncoder(`${s.rtmpsUrl}/${s.streamKey}`, { size: '640x360', seconds: 60 });
  const intruder = startEncoder(`${s.rtmpsUrl}/sk_live_wrong${'x'.repeat(30)}`, { size: '320x240', seconds: 60 });
  try {
    await waitFor(async () => (await status(s.id)) === 'active', 60_000, 'stream active over RTMPS');
    expect(await intruder.exited).not.toBe(0);
    const sessions = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
    expect(sessions[0].stats).toMatchObject({ width: 640, height: 360 });

    // A TLS client hello on the plain RTMP port, and plain RTMP (C0+C1) on the RTMPS port: both
    // are dropped; the publisher above keeps going.
    const helloOnPlain = tls.connect({ host: '127.0.0.1', port: stack.rtmpPort, rejectUnauthorized: false });
    expect(await closedBy(helloOnPlain)).not.toBe('still open');
    const plainOnTls = net.connect({ host: '127.0.0.1', port: stack.rtmpsPort });
    plainOnTls.once('connect', () => plainOnTls.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536, 7)])));
    expect(await closedBy(plainOnTls)).not.toBe('still open');

    const before = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
    await new Promise((r) => setTimeout(r, 6000));
    const after = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
    expect(await status(s.id)).toBe('active');
    expect(Date.parse(after.lastSeenAt)).toBeGreaterThan(Date.parse(before.lastSeenAt));
    expect(stack.ingest.child.exitCode).toBeNull();
  } finally {
    await encoder.stop();
    await intruder.stop();
  }
}, 120_000);

it('publishes MPEG-TS over SRT with the srtUrl the API gives, into the same ladder and recording', async () => {
  const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'srt', renditions: ['240p'], latencyMode: 'low', reconnectWindowSeconds: 0 } })).body;
  expect(s.srtUrl).toBe(`srt://127.0.0.1:${stack.srtPort}?streamid=${s.streamKey}`);
  const encoder = startEncoder(s.srtUrl, { size: '640x360', seconds: 60 });
  const intruder = startEncoder(`srt://127.0.0.1:${stack.srtPort}?streamid=aw_live_wrong${'x'.repeat(30)}`, { size: '320x240', seconds: 60 });
  try {
    const active = await waitFor(async () => {
      const got = (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body;
      return got.status === 'active' && got;
    }, 60_000, `stream active over SRT\n${stack.logs.slice(-20).join('\n')}`);
    expect(await intruder.exited).not.toBe(0);
    expect(stack.logs.some((l) => l.includes('SRT caller closed') && l.includes('unknown_key'))).toBe(true);
    const sessions = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
    expect(sessions[0].stats).toMatchObject({ width: 640, height: 360, videoCodec: expect.stringMatching(/264|avc/i) });
    // Viewers get the same HLS as from RTMP.
    const master = await waitFor(async () => {
      const res = await fetch(s.playback.hlsUrl);
      return res.ok && (await res.text());
    }, 20_000, 'master playlist');
    expect(master).toContain('240p/index.m3u8');
    await new Promise((r) => setTimeout(r, 4000));
    await encoder.stop();
    await waitFor(async () => (await status(s.id)) === 'idle', 30_000, 'idle after the SRT caller left');
    const asset = await waitFor(async () => {
      const a = (await stack.api.call('GET', `/v1/assets/${active.activeAssetId}`)).body;
      return a.status === 'ready' && a;
    }, 60_000, 'recording ready');
    expect(asset.durationSeconds).toBeGreaterThan(3);
  } finally {
    await encoder.stop();
    await intruder.stop();
  }
}, 150_000);
