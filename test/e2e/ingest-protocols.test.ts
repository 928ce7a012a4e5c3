// Encrypted and alternative ingest: RTMPS, and what a confused client sends to the wrong port.
import net from 'node:net';
import tls from 'node:tls';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { chunks, handshake, publishPreamble } from './rtmp-wire.js';
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
  const s = (
    await stack.api.call('POST', '/v1/live-streams', {
      body: { name: 'tls', renditions: ['240p'], latencyMode: 'low', record: false, reconnectWindowSeconds: 0 },
    })
  ).body;
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
  const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'srt', renditions: ['240p'], latencyMode: 'low', reconnectWindowSeconds: 0 } }))
    .body;
  expect(s.srtUrl).toBe(`srt://127.0.0.1:${stack.srtPort}?streamid=${s.streamKey}`);
  const encoder = startEncoder(s.srtUrl, { size: '640x360', seconds: 60 });
  const intruder = startEncoder(`srt://127.0.0.1:${stack.srtPort}?streamid=aw_live_wrong${'x'.repeat(30)}`, { size: '320x240', seconds: 60 });
  try {
    const active = await waitFor(
      async () => {
        const got = (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body;
        return got.status === 'active' && got;
      },
      60_000,
      `stream active over SRT\n${stack.logs.slice(-20).join('\n')}`,
    );
    expect(await intruder.exited).not.toBe(0);
    expect(stack.logs.some((l) => l.includes('SRT caller closed') && l.includes('unknown_key'))).toBe(true);
    const sessions = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
    expect(sessions[0].stats).toMatchObject({ width: 640, height: 360, videoCodec: expect.stringMatching(/264|avc/i) });
    // Viewers get the same HLS as from RTMP.
    const master = await waitFor(
      async () => {
        const res = await fetch(s.playback.hlsUrl);
        return res.ok && (await res.text());
      },
      20_000,
      'master playlist',
    );
    expect(master).toContain('240p/index.m3u8');
    await new Promise((r) => setTimeout(r, 4000));
    await encoder.stop();
    await waitFor(async () => (await status(s.id)) === 'idle', 30_000, 'idle after the SRT caller left');
    const asset = await waitFor(
      async () => {
        const a = (await stack.api.call('GET', `/v1/assets/${active.activeAssetId}`)).body;
        return a.status === 'ready' && a;
      },
      60_000,
      'recording ready',
    );
    expect(asset.durationSeconds).toBeGreaterThan(3);
  } finally {
    await encoder.stop();
    await intruder.stop();
  }
}, 150_000);

it('survives random, truncated and malformed RTMP (chunks, AMF, FLV tags) while a good publisher keeps going', async () => {
  const good = (
    await stack.api.call('POST', '/v1/live-streams', {
      body: { name: 'good', renditions: ['240p'], latencyMode: 'low', record: false, reconnectWindowSeconds: 0 },
    })
  ).body;
  const target = (
    await stack.api.call('POST', '/v1/live-streams', {
      body: { name: 'fuzzed', renditions: ['240p'], latencyMode: 'low', record: false, reconnectWindowSeconds: 0 },
    })
  ).body;
  const encoder = startEncoder(good.ingestUrl, { size: '320x240', seconds: 120 });
  try {
    await waitFor(async () => (await status(good.id)) === 'active', 60_000, 'good publisher active');
    const before = (await stack.api.call('GET', `/v1/live-streams/${good.id}/sessions`)).body.data[0];
    const port = stack.rtmpPort;
    const media = fc.record({
      type: fc.constantFrom(8, 9, 18, 20, 1, 4, 5, 6, fc.sample(fc.integer({ min: 0, max: 255 }), 1)[0]!),
      csid: fc.integer({ min: 2, max: 63 }),
      streamId: fc.constantFrom(0, 1, 0xffffffff),
      // FLV-looking bodies: AVC keyframe/sequence headers, AAC, and noise.
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([0x17, 0x00, 0, 0, 0, 0x01]), Buffer.from(b)])),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([0xaf, 0x00]), Buffer.from(b)])),
      ),
      cut: fc.option(fc.integer({ min: 1, max: 200 })),
    });
    const scenario = fc.oneof(
      fc.record({ kind: fc.constant('noise' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 5000 }) }),
      fc.record({ kind: fc.constant('chunks' as const), messages: fc.array(media, { minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('publish' as const), messages: fc.array(media, { minLength: 1, maxLength: 12 }) }),
      fc.record({ kind: fc.constant('half-handshake' as const), bytes: fc.uint8Array({ maxLength: 1600 }) }),
    );
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        cases++;
        // A crash shows up here with its stack trace, not as a refused connection.
        expect(
          stack.ingest.child.exitCode,
          stack.logs
            .filter((l) => l.startsWith('ingest'))
            .slice(-30)
            .join('\n'),
        ).toBeNull();
        if (sc.kind === 'half-handshake') {
          const s = net.connect({ host: '127.0.0.1', port });
          s.on('error', () => {});
          await new Promise((r) => s.once('connect', r));
          s.end(Buffer.concat([Buffer.from([3]), Buffer.from(sc.bytes)]));
          return;
        }
        const s = await handshake(port);
        let out: Buffer;
        if (sc.kind === 'noise') out = Buffer.from(sc.bytes);
        else {
          const msgs = sc.messages.map((m) => {
            const c = chunks(m.csid, m.type, m.streamId, m.payload);
            return m.cut ? c.subarray(0, Math.min(c.length, m.cut)) : c;
          });
          out = Buffer.concat([...(sc.kind === 'publish' ? [publishPreamble(target.streamKey)] : []), ...msgs]);
        }
        s.write(out);
        await new Promise((r) => setTimeout(r, 40));
        s.destroy();
      }),
      { numRuns: 120 },
    );
    expect(cases).toBe(120);
    expect(stack.ingest.child.exitCode).toBeNull();
    await new Promise((r) => setTimeout(r, 6000));
    const after = (await stack.api.call('GET', `/v1/live-streams/${good.id}/sessions`)).body.data[0];
    expect(after.id).toBe(before.id);
    expect(await status(good.id)).toBe('active');
    expect(Date.parse(after.lastSeenAt)).toBeGreaterThan(Date.parse(before.lastSeenAt));
    // And a real encoder can still publish to the stream the fuzz abused.
    await waitFor(async () => ['idle'].includes(await status(target.id)), 30_000, 'fuzzed stream idle again');
    const real = startEncoder(target.ingestUrl, { size: '320x240', seconds: 30 });
    try {
      await waitFor(async () => (await status(target.id)) === 'active', 60_000, 'real encoder after the fuzz');
    } finally {
      await real.stop();
    }
  } finally {
    await encoder.stop();
  }
}, 240_000);
