// An encoder pushes RTMP; the ladder appears at the CDN; the state machine and webhooks follow.
import HLS from 'hls-parser';
import { expect, it } from 'vitest';
import { startReceiver } from '../../apps/worker/test/receiver.js';
import { lastSegment, probe, startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);

/** A playlist read; a transient failure (the local S3 caught mid-write answers 503) is retried. */
const getText = async (url: string) => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await fetch(url);
    if (res.ok) return { text: await res.text(), headers: res.headers };
    await res.arrayBuffer();
    if (res.status === 404) return undefined; // not there yet: the caller polls
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
};

it('publishes a 720p encoder as a 4-rung HLS ladder at the CDN, then goes idle when it stops', async () => {
  const { api } = stack;
  const rx = await startReceiver();
  await api.call('POST', '/v1/webhooks', { body: { url: rx.url } });
  const stream = (await api.call('POST', '/v1/live-streams', { body: { name: 'E2E', reconnectWindowSeconds: 2 } })).body;
  expect(stream.rtmpUrl).toBe(`rtmp://127.0.0.1:${stack.rtmpPort}/live`);

  const encoder = startEncoder(stream.ingestUrl, { seconds: 60 });
  try {
    const active = await waitFor(
      async () => {
        const s = (await api.call('GET', `/v1/live-streams/${stream.id}`)).body;
        return s.status === 'active' && s;
      },
      40_000,
      `stream active\n${stack.logs.slice(-30).join('\n')}`,
    );
    expect(active.currentSessionId).toMatch(/^lss_/);

    // Master playlist: every rung at or below 720p, never 1080p, with what players need to choose.
    const master = await waitFor(() => getText(stream.playback.hlsUrl), 10_000, 'master playlist');
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(master.headers.get('cache-control')).toBe('public, max-age=1');
    const parsed = HLS.parse(master.text);
    if (!parsed.isMasterPlaylist) throw new Error('not a master playlist');
    expect(parsed.variants.map((v) => v.uri)).toEqual(['720p/index.m3u8', '480p/index.m3u8', '360p/index.m3u8', '240p/index.m3u8']);
    expect(parsed.variants.map((v) => v.resolution)).toEqual([
      { width: 1280, height: 720 },
      { width: 854, height: 480 },
      { width: 640, height: 360 },
      { width: 426, height: 240 },
    ]);
    for (const v of parsed.variants) {
      expect(v.bandwidth).toBeGreaterThan(0);
      expect(v.averageBandwidth).toBeGreaterThan(0);
      expect(v.frameRate).toBe(30);
      expect(v.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    }

    // A wrong key is refused while the stream keeps publishing.
    const intruder = startEncoder(`${stream.rtmpUrl}/aw_live_wrongwrongwrongwrongwrongwrongwr`, { seconds: 30 });
    expect(await intruder.exited).not.toBe(0);
    // The same key twice is refused too (already_live).
    const twin = startEncoder(stream.ingestUrl, { seconds: 30 });
    expect(await twin.exited).not.toBe(0);
    await waitFor(() => stack.logs.some((l) => l.includes('already_live')), 5000, 'already_live logged');

    // Each media playlist: ≥ 3 segments of ~2 s; the stream kept going through the refusals.
    const base = stream.playback.hlsUrl.replace(/index\.m3u8$/, '');
    for (const v of parsed.variants) {
      const media = await waitFor(
        async () => {
          const got = await getText(base + v.uri);
          const p = got ? HLS.parse(got.text) : undefined;
          return p && !p.isMasterPlaylist && p.segments.length >= 3 ? p : undefined;
        },
        30_000,
        `3 segments in ${v.uri}`,
      );
      for (const s of media.segments) expect(Math.abs(s.duration - 2) / 2).toBeLessThanOrEqual(0.1);
    }
    const first720 = HLS.parse((await getText(`${base}720p/index.m3u8`))!.text) as HLS.types.MediaPlaylist;
    await waitFor(
      async () => {
        const got = await getText(`${base}720p/index.m3u8`);
        const later = got && (HLS.parse(got.text) as HLS.types.MediaPlaylist);
        return later && lastSegment(later)!.uri !== lastSegment(first720)!.uri;
      },
      15_000,
      'playlist keeps growing',
    );

    // A segment fetched through the CDN decodes to its rendition's size, with video and audio.
    for (const [name, height] of [
      ['720p', 720],
      ['240p', 240],
    ] as const) {
      const pl = HLS.parse((await getText(`${base}${name}/index.m3u8`))!.text) as HLS.types.MediaPlaylist;
      const segUrl = new URL(pl.segments[0]!.uri, `${base}${name}/index.m3u8`).href;
      const res = await fetch(segUrl);
      expect(res.headers.get('cache-control')).toContain('immutable');
      expect(res.headers.get('content-type')).toBe('video/mp2t');
      expect((await res.arrayBuffer()).byteLength % 188).toBe(0); // whole MPEG-TS packets
      const streams = await probe(segUrl);
      expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', height });
      expect(streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
    }

    // A live thumbnail from the lowest rung, at the CDN.
    const thumb = await waitFor(
      async () => {
        const res = await fetch(stream.thumbnailUrl);
        return res.ok && res;
      },
      20_000,
      'live thumbnail',
    );
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect(await probe(stream.thumbnailUrl)).toEqual([expect.objectContaining({ codec_name: 'mjpeg', width: 426, height: 240 })]);

    // Health from the ingest's heartbeats.
    const session = (await api.call('GET', `/v1/live-streams/${stream.id}/sessions`)).body.data[0];
    expect(session.stats).toMatchObject({ videoCodec: 'h264', audioCodec: 'aac', width: 1280, height: 720, keyframeIntervalSeconds: 2 });
    expect(session.health.verdict).toBe('healthy');
    // The worker reports whether its ffmpeg keeps up with real time.
    const transcode = await waitFor(
      async () => (await api.call('GET', `/v1/live-streams/${stream.id}/sessions`)).body.data[0].transcode,
      15_000,
      'transcode stats',
    );
    expect(transcode.speed).toBeGreaterThan(0.5);
    expect(transcode.renditions).toEqual(['720p', '480p', '360p', '240p']);
    // The encoder sends H.264/AAC at 720p with a keyframe every 2 s: the 720p rung is the source, copied.
    expect(session.transcodePath).toBe('copy');
    expect(parsed.variants[0]!.codecs).toBe(`${session.stats.videoCodecString},mp4a.40.2`);
  } finally {
    await encoder.stop();
  }

  // Encoder gone → reconnecting → (2 s window) → idle, and a webhook says so.
  await waitFor(async () => (await api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'idle', 30_000, 'idle');
  const types = await waitFor(
    () => {
      const t = rx.received
        .map((r) => JSON.parse(r.body))
        .filter((e) => e.data.id === stream.id)
        .map((e) => e.type);
      return t.includes('live_stream.idle') && t;
    },
    15_000,
    'idle webhook',
  );
  expect(types).toEqual(expect.arrayContaining(['live_stream.connected', 'live_stream.active', 'live_stream.disconnected', 'live_stream.idle']));
  await rx.close();
}, 150_000);

it('an encoder with keyframes 8 s apart (OBS "auto") gets every rung encoded, with 2 s segments', async () => {
  const { api } = stack;
  const stream = (
    await api.call('POST', '/v1/live-streams', { body: { name: 'Sparse keyframes', renditions: ['720p', '240p'], reconnectWindowSeconds: 0, record: false } })
  ).body;
  const encoder = startEncoder(stream.ingestUrl, {
    seconds: 90,
    videoCodec: [
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-g',
      '240',
      '-keyint_min',
      '240',
      '-sc_threshold',
      '0',
      '-pix_fmt',
      'yuv420p',
    ],
  });
  try {
    const session = await waitFor(
      async () => {
        const s = (await api.call('GET', `/v1/live-streams/${stream.id}/sessions`)).body.data[0];
        return s?.transcodePath === 'encode' && s;
      },
      60_000,
      `replanned to encode\n${stack.logs.slice(-20).join('\n')}`,
    );
    expect(session.error).toBeNull();
    const url = stream.playback.hlsUrl.replace(/index\.m3u8$/, '720p/index.m3u8');
    const media = await waitFor(
      async () => {
        const res = await fetch(url);
        const p = res.ok ? HLS.parse(await res.text()) : undefined;
        return p && !p.isMasterPlaylist && p.segments.filter((x) => Math.abs(x.duration - 2) <= 0.2).length >= 2 ? p : undefined;
      },
      60_000,
      '2 s segments after the replan',
    );
    expect(media.segments.at(-1)!.duration).toBeLessThanOrEqual(2.2);
    expect((await api.call('GET', `/v1/live-streams/${stream.id}`)).body.status).toBe('active');
    // Not recorded: once the broadcast ends, its segments are removed (retention is 2 s in this test).
    const segmentUrl = new URL(media.segments.at(-1)!.uri, url).toString();
    expect((await fetch(segmentUrl)).status).toBe(200);
    await encoder.stop();
    await waitFor(async () => (await fetch(segmentUrl)).status === 404, 30_000, 'unrecorded segments removed');
    expect((await api.call('GET', `/v1/assets?liveStreamId=${stream.id}`)).body.data).toHaveLength(0);
  } finally {
    await encoder.stop();
  }
}, 150_000);

it('ten players polling a low-latency stream never get an empty or cut-short playlist', async () => {
  const stream = (
    await stack.api.call('POST', '/v1/live-streams', {
      body: { name: 'busy', renditions: ['240p'], latencyMode: 'low', record: false, reconnectWindowSeconds: 0 },
    })
  ).body;
  const encoder = startEncoder(stream.ingestUrl, { size: '320x240', seconds: 60 });
  const media = stream.playback.hlsUrl.replace('index.m3u8', '240p/index.m3u8');
  try {
    await waitFor(async () => (await fetch(media)).ok, 40_000, 'the playlist exists');
    // The playlist is rewritten every second (1 s segments): ten players read it four times a second.
    const until = Date.now() + 30_000;
    const bad: string[] = [];
    let reads = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (Date.now() < until) {
          const res = await fetch(media);
          const text = await res.text();
          reads++;
          if (res.status !== 200) bad.push(`${res.status} ${text.slice(0, 80)}`);
          else if (!text.startsWith('#EXTM3U') || !text.endsWith('\n') || (HLS.parse(text) as HLS.types.MediaPlaylist).segments.length === 0)
            bad.push(`200 ${JSON.stringify(text.slice(-40))}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }),
    );
    expect(reads).toBeGreaterThan(600);
    expect(bad).toEqual([]);
    const text = await (await fetch(media)).text();
    expect(text).toContain('#EXT-X-TARGETDURATION:1\n');
  } finally {
    await encoder.stop();
  }
}, 120_000);
