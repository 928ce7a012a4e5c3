// Simulcast: a live stream relayed with -c copy to another RTMP server, which really receives it;
// a destination that refuses is retried and disturbs neither the ladder nor the other destination.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { ephemeralPort } from '../../scripts/up/net.js';
import { probe, startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);

it('relays a live stream to a second RTMP server; a refusing destination is errored and retried', async () => {
  const destPort = await ephemeralPort();
  const destTlsPort = await ephemeralPort();
  // The RTMPS destination's certificate is the stack's own self-signed one, trusted by the workers
  // through NODE_EXTRA_CA_CERTS (stack.ts), as an operator would add a private CA.
  const cert = stack.childEnv.INGEST_TLS_CERT_FILE!;
  const destination = spawn(
    process.execPath,
    [new URL('./fixtures/rtmp-destination.cjs', import.meta.url).pathname, String(destPort), String(destTlsPort), cert, stack.childEnv.INGEST_TLS_KEY_FILE!],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => destination.stdout!.once('data', resolve));
  const deadPort = await ephemeralPort();
  try {
    const { api } = stack;
    const s = (
      await api.call('POST', '/v1/live-streams', {
        body: {
          name: 'Restream',
          renditions: ['360p'],
          reconnectWindowSeconds: 0,
          simulcastTargets: [
            { url: `rtmp://127.0.0.1:${destPort}/live`, streamKey: 'youtube-key' },
            { url: `rtmp://127.0.0.1:${deadPort}/live`, streamKey: 'nobody-home' },
            { url: `rtmps://127.0.0.1:${destTlsPort}/app`, streamKey: 'twitch-key' },
          ],
        },
      })
    ).body;
    const targets = async () =>
      (await api.call('GET', `/v1/live-streams/${s.id}/simulcast-targets`)).body.data as { url: string; status: string; error: string | null }[];
    const encoder = startEncoder(s.ingestUrl, { size: '640x360', seconds: 90 });
    try {
      await waitFor(
        async () => {
          const t = await targets();
          return [destPort, destTlsPort].every((port) => t.find((x) => x.url.includes(String(port)))?.status === 'broadcasting');
        },
        40_000,
        `broadcasting\n${stack.logs.slice(-10).join('\n')}`,
      );
      // Each destination really receives the stream under its key, over RTMP and RTMPS: video and
      // audio, at the source's size.
      for (const [app, key] of [
        ['live', 'youtube-key'],
        ['app', 'twitch-key'],
      ]) {
        const streams = await probe(`rtmp://127.0.0.1:${destPort}/${app}/${key}`);
        expect(
          streams.find((x) => x.codec_type === 'video'),
          key,
        ).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
        expect(
          streams.some((x) => x.codec_type === 'audio'),
          key,
        ).toBe(true);
      }

      const dead = await waitFor(
        async () => (await targets()).find((x) => x.url.includes(String(deadPort)) && x.status === 'errored'),
        30_000,
        'dead target errored',
      );
      expect(dead.error).toBeTruthy();
      // The ladder is unaffected: the stream becomes (or stays) active and its playlist grows.
      await waitFor(async () => (await api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'active', 30_000, 'ladder active');
      const playlist = s.playback.hlsUrl.replace(/index\.m3u8$/, '360p/index.m3u8');
      await waitFor(async () => ((await (await fetch(playlist)).text()).match(/#EXTINF/g) ?? []).length >= 2, 30_000, 'ladder segments');
    } finally {
      await encoder.stop();
    }
    await waitFor(async () => (await targets()).every((x) => x.status === 'idle'), 30_000, 'targets idle after the broadcast');
  } finally {
    destination.kill('SIGTERM');
  }
}, 150_000);
