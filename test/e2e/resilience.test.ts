// The ladder survives its ffmpeg dying (BullMQ retry) and its worker process dying (stalled-job
// take-over by another worker); players see one playlist that continues after a discontinuity.
import { execFileSync } from 'node:child_process';
import HLS from 'hls-parser';
import { expect, it } from 'vitest';
import { startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);

const pids = (pattern: string) => {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** The media playlist, or undefined while it is missing, half written, or the local S3 drops the socket. */
async function media(url: string) {
  try {
    const res = await fetch(url);
    if (!res.ok) return undefined;
    const p = HLS.parse(await res.text());
    return p.isMasterPlaylist ? undefined : p;
  } catch {
    return undefined;
  }
}

async function liveStream(name: string) {
  const stream = (await stack.api.call('POST', '/v1/live-streams', { body: { name, renditions: ['360p', '240p'], latencyMode: 'low' } })).body;
  const encoder = startEncoder(stream.ingestUrl, { seconds: 120, size: '640x360' });
  const active = await waitFor(async () => {
    const s = (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body;
    return s.status === 'active' && s;
  }, 40_000, `active\n${stack.logs.slice(-20).join('\n')}`);
  const playlistUrl = stream.playback.hlsUrl.replace(/index\.m3u8$/, '360p/index.m3u8');
  return { stream, encoder, sessionId: active.currentSessionId as string, playlistUrl };
}

/** Waits for a discontinuity followed by at least two new segments: playback resumed. */
async function resumedAfterDiscontinuity(playlistUrl: string, what: string) {
  return waitFor(async () => {
    const p = await media(playlistUrl);
    if (!p) return false;
    const i = p.segments.findIndex((s) => s.discontinuity);
    return i >= 0 && p.segments.length - i >= 2 && p;
  }, 60_000, what);
}

it('restarts a dead ffmpeg and continues the playlist with a discontinuity', async () => {
  const { stream, encoder, sessionId, playlistUrl } = await liveStream('ffmpeg crash');
  try {
    await waitFor(async () => ((await media(playlistUrl))?.segments.length ?? 0) >= 2, 20_000, 'two segments');
    const [ffmpegPid] = pids(`ffmpeg.*${sessionId}`);
    expect(ffmpegPid).toBeGreaterThan(0);
    process.kill(ffmpegPid!, 'SIGKILL');

    const p = await resumedAfterDiscontinuity(playlistUrl, 'playlist resumed after the crash');
    expect(p.segments.filter((s) => s.discontinuity)).toHaveLength(1);
    expect(pids(`ffmpeg.*${sessionId}`).length).toBe(1);
    expect((await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status).toBe('active');
  } finally {
    await encoder.stop();
  }
}, 150_000);

it('another worker takes the session over when the worker running it dies', async () => {
  const { encoder, sessionId, playlistUrl } = await liveStream('worker crash');
  try {
    await waitFor(async () => ((await media(playlistUrl))?.segments.length ?? 0) >= 2, 20_000, 'two segments');
    const standby = stack.startWorker();
    await waitFor(() => stack.logs.some((l) => l.startsWith('worker1:') && l.includes('worker started')), 30_000, 'standby worker up');
    const running = stack.workers.find((w) => w !== standby && w.child.exitCode === null)!;
    const [ffmpegPid] = pids(`ffmpeg.*${sessionId}`);
    // The machine dies: the worker and its ffmpeg, without any chance to clean up.
    running.child.kill('SIGKILL');
    if (ffmpegPid) process.kill(ffmpegPid, 'SIGKILL');

    await resumedAfterDiscontinuity(playlistUrl, `standby took over\n${stack.logs.slice(-15).join('\n')}`);
    expect(stack.logs.some((l) => l.startsWith('worker1:') && l.includes('ffmpeg started') && l.includes(sessionId))).toBe(true);
  } finally {
    await encoder.stop();
  }
}, 150_000);
