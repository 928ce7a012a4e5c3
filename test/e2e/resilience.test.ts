// The ladder survives its ffmpeg dying (BullMQ retry) and its worker process dying (another worker
// takes the session and its simulcast relay over within two segment lengths); players see one
// playlist that continues after a discontinuity, and the recording keeps the whole broadcast but that gap.
import { execFileSync, spawn } from 'node:child_process';
import HLS from 'hls-parser';
import { expect, it } from 'vitest';
import { ephemeralPort } from '../../scripts/up/net.js';
import { probe, readyRecording, startEncoder, useStack, waitFor } from './stack.js';

const stack = useStack(import.meta.filename);

const pids = (pattern: string) => {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

const parentOf = (pid: number) => {
  try {
    return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  } catch {
    return 0;
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

async function liveStream(name: string, latencyMode = 'low', seconds = 120, extra: Record<string, unknown> = {}) {
  const stream = (
    await stack.api.call('POST', '/v1/live-streams', { body: { name, renditions: ['360p', '240p'], latencyMode, reconnectWindowSeconds: 0, ...extra } })
  ).body;
  const encoder = startEncoder(stream.ingestUrl, { seconds, size: '640x360' });
  const active = await waitFor(
    async () => {
      const s = (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body;
      return s.status === 'active' && s;
    },
    40_000,
    `active\n${stack.logs.slice(-20).join('\n')}`,
  );
  const playlistUrl = stream.playback.hlsUrl.replace(/index\.m3u8$/, '360p/index.m3u8');
  return { stream, encoder, sessionId: active.currentSessionId as string, playlistUrl };
}

/** Waits for a discontinuity followed by at least two new segments: playback resumed. */
async function resumedAfterDiscontinuity(playlistUrl: string, what: string) {
  return waitFor(
    async () => {
      const p = await media(playlistUrl);
      if (!p) return false;
      const i = p.segments.findIndex((s) => s.discontinuity);
      return i >= 0 && p.segments.length - i >= 2 && p;
    },
    60_000,
    what,
  );
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

/** A process that is gone, or a zombie nobody reaped yet: either way it no longer runs. */
function gone(pid: number): boolean {
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .startsWith('Z');
  } catch {
    return true;
  }
}

/** The pino lines a worker wrote about a session, parsed. */
const workerLines = (worker: string, sessionId: string, msg: string) =>
  stack.logs
    .filter((l) => l.startsWith(`${worker}: `) && l.includes(sessionId) && l.includes(msg))
    .map((l) => JSON.parse(l.slice(worker.length + 2)) as { time: number; msg: string; [k: string]: unknown });

it('another worker resumes the ladder within two segment lengths when the worker running it dies, and its relay; the recording keeps the rest', async () => {
  const SEGMENT = 4; // standard latency
  const SECONDS = 50;
  const destPort = await ephemeralPort();
  const destination = spawn(process.execPath, [new URL('./fixtures/rtmp-destination.cjs', import.meta.url).pathname, String(destPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => destination.stdout!.once('data', resolve));
  const simulcastTargets = [{ url: `rtmp://127.0.0.1:${destPort}/live`, streamKey: 'relay-key' }];
  const { stream, encoder, sessionId, playlistUrl } = await liveStream('worker crash', 'standard', SECONDS, { simulcastTargets });
  const relayStatus = async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}/simulcast-targets`)).body.data[0].status as string;
  // A relay's ffmpeg only remuxes stdin to stdout (the worker pushes to the destination itself).
  const relays = () => stack.workers.flatMap((w) => (w.child.pid ? pids(`ffmpeg.*no_duration_filesize`).filter((pid) => parentOf(pid) === w.child.pid) : []));
  try {
    await waitFor(async () => ((await media(playlistUrl))?.segments.length ?? 0) >= 2, 30_000, 'two segments');
    await waitFor(async () => (await relayStatus()) === 'broadcasting', 30_000, 'relay broadcasting');
    const standby = stack.startWorker();
    await waitFor(() => stack.logs.some((l) => l.startsWith('worker1:') && l.includes('worker started')), 30_000, 'standby worker up');
    const running = stack.workers.find((w) => w !== standby && w.child.exitCode === null)!;
    const [ffmpegPid] = pids(`ffmpeg.*${sessionId}`);
    const [relayPid] = relays();
    expect(ffmpegPid).toBeGreaterThan(0);
    expect(relayPid).toBeGreaterThan(0);
    // The worker dies without any chance to clean up; its ffmpegs must not outlive it.
    const killedAt = Date.now();
    running.child.kill('SIGKILL');
    await waitFor(() => gone(ffmpegPid!) && gone(relayPid!), 5000, "the dead worker's ffmpegs ended with it");

    // The standby notices at once (the dead worker's Redis connection closed) and runs the ladder.
    const started = await waitFor(
      () => workerLines('worker1', sessionId, 'ffmpeg started')[0],
      30_000,
      `standby took over\n${stack.logs.slice(-15).join('\n')}`,
    );
    expect(started.time - killedAt).toBeLessThanOrEqual(2 * SEGMENT * 1000);

    // Viewers: one playlist, a discontinuity, new segments after it; the content gap (by the
    // ingest-clock PROGRAM-DATE-TIME) is at most two segment lengths.
    const p = await resumedAfterDiscontinuity(playlistUrl, 'playlist resumed after the take-over');
    const at = p.segments.findIndex((seg) => seg.discontinuity);
    const [before, after] = [p.segments[at - 1]!, p.segments[at]!];
    const gap = (after.programDateTime!.getTime() - (before.programDateTime!.getTime() + before.duration * 1000)) / 1000;
    expect(gap).toBeLessThanOrEqual(2 * SEGMENT);
    expect(pids(`ffmpeg.*${sessionId}`)).toHaveLength(1);

    // The simulcast destination gets the stream again, from the standby, by one relay.
    await waitFor(() => relays().some((pid) => pid !== relayPid), 10_000, 'relay taken over');
    const streams = await probe(`rtmp://127.0.0.1:${destPort}/live/relay-key`);
    expect(streams.find((x) => x.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(await relayStatus()).toBe('broadcasting');
    expect(relays()).toHaveLength(1);

    // App developers: the stream stayed active, the recording has the broadcast minus that gap.
    expect((await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status).toBe('active');
    expect(await encoder.exited).toBe(0);
    const assetId = (await stack.api.call('GET', `/v1/live-streams/${stream.id}/sessions`)).body.data[0].assetId as string;
    const { asset, vod } = await readyRecording(stack, assetId, '360p');
    expect(vod.segments.filter((seg) => seg.discontinuity)).toHaveLength(1);
    // The recording starts at the first keyframe the ladder saw (the encoder's GOP is 2 s).
    expect(asset.durationSeconds).toBeGreaterThanOrEqual(SECONDS - Math.max(gap, 0) - 2.5);
    expect(asset.durationSeconds).toBeLessThanOrEqual(SECONDS + 0.5);
    console.log(
      `worker take-over: ffmpeg running ${((started.time - killedAt) / 1000).toFixed(2)} s after the kill, content gap ${gap.toFixed(2)} s, recording ${asset.durationSeconds} s of ${SECONDS} s`,
    );
  } finally {
    await encoder.stop();
    destination.kill('SIGTERM');
  }
}, 180_000);

it('a worker told to stop (SIGTERM) hands its session to another worker at once and exits cleanly', async () => {
  const { stream, encoder, sessionId, playlistUrl } = await liveStream('worker rolling deploy', 'low', 40);
  try {
    await waitFor(async () => ((await media(playlistUrl))?.segments.length ?? 0) >= 2, 30_000, 'two segments');
    const running = stack.workers.find((w) => w.child.exitCode === null && w.child.signalCode === null)!;
    const name = `worker${stack.workers.indexOf(running)}`;
    const standby = `worker${stack.workers.length}`;
    stack.startWorker();
    await waitFor(() => stack.logs.some((l) => l.startsWith(`${standby}:`) && l.includes('worker started')), 30_000, 'standby worker up');

    const stoppedAt = Date.now();
    running.child.kill('SIGTERM');
    const handed = await waitFor(
      () => workerLines(name, sessionId, 'handing work to another worker')[0],
      15_000,
      `handed back\n${stack.logs.slice(-15).join('\n')}`,
    );
    expect(handed).toMatchObject({ reason: 'shutting down', kind: 'ladder' });
    const started = await waitFor(() => workerLines(standby, sessionId, 'ffmpeg started')[0], 15_000, 'standby runs the ladder');
    const exited = running.child.exitCode ?? (await new Promise((r) => running.child.once('exit', r)));
    expect(exited).toBe(0);
    await resumedAfterDiscontinuity(playlistUrl, 'playlist resumed on the standby');
    expect(pids(`ffmpeg.*${sessionId}`)).toHaveLength(1);
    expect((await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status).toBe('active');
    console.log(`worker SIGTERM: the standby's ffmpeg ran ${((started.time - stoppedAt) / 1000).toFixed(2)} s after the signal`);
  } finally {
    await encoder.stop();
  }
}, 120_000);
