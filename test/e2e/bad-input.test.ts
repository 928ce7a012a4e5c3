// What encoders get wrong: audio-only, video-only, a codec we do not take, garbage on the RTMP port.
import { rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import HLS from 'hls-parser';
import { expect, it } from 'vitest';
import { probe, startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);

const newStream = async (name: string) =>
  (await stack.api.call('POST', '/v1/live-streams', { body: { name, latencyMode: 'low', reconnectWindowSeconds: 0 } })).body;
const status = async (id: string) => (await stack.api.call('GET', `/v1/live-streams/${id}`)).body.status;

async function firstSegmentStreams(hlsUrl: string) {
  const master = HLS.parse(await (await fetch(hlsUrl)).text());
  if (!master.isMasterPlaylist) throw new Error('expected a master playlist');
  const variant = master.variants[0]!;
  const mediaUrl = new URL(variant.uri, hlsUrl).toString();
  const media = await waitFor(
    async () => {
      // s3rver writes objects in place, so a read can catch a playlist half written: read again.
      const res = await fetch(mediaUrl);
      const text = res.ok ? await res.text() : '';
      let p: ReturnType<typeof HLS.parse> | undefined;
      try {
        p = text ? HLS.parse(text) : undefined;
      } catch {
        p = undefined;
      }
      return p && !p.isMasterPlaylist && p.segments.some((s) => s.uri) && p;
    },
    20_000,
    'a segment',
  );
  const segment = media.segments.find((s) => s.uri)!;
  if (!segment.map) return { variant, streams: await probe(new URL(segment.uri, mediaUrl).toString()) };
  // fMP4 (LL-HLS): the segment is read with its initialization segment in front.
  const bytes = await Promise.all([segment.map.uri, segment.uri].map(async (u) => Buffer.from(await (await fetch(new URL(u, mediaUrl))).arrayBuffer())));
  const file = path.join(os.tmpdir(), `airwave-segment-${process.pid}-${Date.now()}.mp4`);
  await writeFile(file, Buffer.concat(bytes));
  try {
    return { variant, streams: await probe(file) };
  } finally {
    await rm(file, { force: true });
  }
}

it('an audio-only publish becomes a playable audio-only HLS', async () => {
  const s = await newStream('radio');
  const enc = startEncoder(s.ingestUrl, { video: false, seconds: 60 });
  try {
    await waitFor(async () => (await status(s.id)) === 'active', 40_000, `audio-only active\n${stack.logs.slice(-10).join('\n')}`);
    const { variant, streams } = await firstSegmentStreams(s.playback.hlsUrl);
    expect(variant.codecs).toBe('mp4a.40.2');
    expect(streams.map((x) => x.codec_type)).toEqual(['audio']);
  } finally {
    await enc.stop();
  }
}, 90_000);

it('a video-only publish becomes a playable video-only ladder', async () => {
  const s = await newStream('silent');
  const enc = startEncoder(s.ingestUrl, { audio: false, size: '640x360', seconds: 60 });
  try {
    await waitFor(async () => (await status(s.id)) === 'active', 40_000, 'video-only active');
    const { variant, streams } = await firstSegmentStreams(s.playback.hlsUrl);
    expect(variant.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
    expect(streams.map((x) => x.codec_type)).toEqual(['video']);
  } finally {
    await enc.stop();
  }
}, 90_000);

it('an unsupported codec marks the session errored with a clear reason, and nothing crashes', async () => {
  const s = await newStream('old flash encoder');
  // Sorenson H.263 (FLV1), what a 2005 Flash encoder sends.
  const enc = startEncoder(s.ingestUrl, { size: '320x240', seconds: 60, videoCodec: ['-c:v', 'flv1'] });
  try {
    const session = await waitFor(
      async () => {
        const sessions = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
        return sessions[0]?.error && sessions[0];
      },
      30_000,
      'session error',
    );
    expect(session.error).toContain('Unsupported video codec h263');
    expect(session.error).toContain('H.264');
  } finally {
    await enc.stop();
  }
  // The ingest and the worker are still up and serve the next publisher.
  const ok = await newStream('after the bad one');
  const good = startEncoder(ok.ingestUrl, { size: '640x360', seconds: 60 });
  try {
    await waitFor(async () => (await status(ok.id)) === 'active', 40_000, 'next stream active');
  } finally {
    await good.stop();
  }
}, 120_000);

it('random bytes and a half handshake on the RTMP port do not crash or stall the ingest', async () => {
  const garbage = connect(stack.rtmpPort, '127.0.0.1');
  // The ingest drops a connection whose first byte is not RTMP's: the reset is expected.
  const garbageClosed = new Promise((r) => garbage.once('close', r));
  garbage.on('error', () => {});
  await new Promise((r) => garbage.once('connect', r));
  garbage.write(Buffer.concat([Buffer.from([0x47]), randomBytes(64 * 1024)]));
  // Half a handshake: C0 and part of C1, then silence, held open.
  const half = connect(stack.rtmpPort, '127.0.0.1');
  half.on('error', () => {});
  await new Promise((r) => half.once('connect', r));
  half.write(Buffer.concat([Buffer.from([3]), randomBytes(700)]));

  const s = await newStream('after garbage');
  const enc = startEncoder(s.ingestUrl, { size: '640x360', seconds: 60 });
  try {
    await waitFor(async () => (await status(s.id)) === 'active', 40_000, 'a real publish still works');
    expect(stack.ingest.child.exitCode).toBeNull();
    await garbageClosed; // dropped by the ingest, not left to hang
  } finally {
    garbage.destroy();
    half.destroy();
    await enc.stop();
  }
}, 90_000);
