// npm run bench:latency — publish-to-playable and per-segment latency on the real stack (API,
// ingest, worker, S3 + CDN), for `standard` (4 s segments) and `low` (1 s) latency modes.
//   publish-to-playable: encoder start → the master playlist answers 200 at the CDN URL.
//     Target ≤ segment length + 2 s.
//   segment latency: when a segment appears in the CDN playlist, minus the wall time the encoder
//     sent its last frame (it streams in real time from t0, so content time t leaves at t0 + t).
//     The worker joins mid-stream at the ingest's cached keyframe, so the playlist's first segment
//     starts at the last keyframe (every 2 s) before the worker's ffmpeg started. Target median ≤ 1 s.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import HLS from 'hls-parser';
import { startStack, waitFor } from '../../test/e2e/stack.js';

/**
 * The encoder, reporting its progress: `t0` is the wall time at which content time 0 left it
 * (out_time lines arrive after the frame is written, so the smallest wall − content is the bound).
 */
function encoder(url: string, seconds: number) {
  const child = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-progress', 'pipe:1', '-stats_period', '0.2', '-f', 'flv', url,
  ]);
  const state = { t0: Number.POSITIVE_INFINITY };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = /^out_time_us=(\d+)/.exec(line);
    if (m && Number(m[1]) > 0) state.t0 = Math.min(state.t0, Date.now() - Number(m[1]) / 1000);
  });
  const exited = new Promise((r) => child.once('exit', r));
  return { state, stop: async () => { child.kill('SIGINT'); await exited; } };
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 24);
const stack = await startStack('bench-latency.test.ts');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const report: string[] = [];

try {
  for (const latencyMode of ['standard', 'low'] as const) {
    const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: `bench ${latencyMode}`, latencyMode, reconnectWindowSeconds: 0 } })).body;
    const started = Date.now();
    const enc = encoder(s.ingestUrl, SECONDS + 10);
    await waitFor(async () => (await fetch(s.playback.hlsUrl)).ok, 60_000, 'master playlist');
    const playable = (Date.now() - started) / 1000;
    const t0 = enc.state.t0;

    const mediaUrl = s.playback.hlsUrl.replace(/index\.m3u8$/, '720p/index.m3u8');
    const firstSeen = new Map<string, number>();
    const durations = new Map<string, number>();
    const order: string[] = [];
    while (Date.now() - started < SECONDS * 1000) {
      const res = await fetch(mediaUrl);
      if (res.ok) {
        const p = HLS.parse(await res.text());
        if (!p.isMasterPlaylist) {
          for (const seg of p.segments) {
            if (!firstSeen.has(seg.uri)) {
              firstSeen.set(seg.uri, Date.now());
              durations.set(seg.uri, seg.duration);
              order.push(seg.uri);
            }
          }
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await enc.stop();
    const stream = await stack.api.env.db.liveStream.findUniqueOrThrow({ where: { id: s.id }, include: { sessions: true } });
    const sessionId = stream.sessions[0]!.id;
    const ffmpegStarted = stack.logs
      .map((l) => {
        try {
          return JSON.parse(l.slice(l.indexOf('{'))) as { msg?: string; sessionId?: string; time: number };
        } catch {
          return undefined;
        }
      })
      .find((e) => e?.msg === 'ffmpeg started' && e.sessionId === sessionId);
    // The worker's pull starts at the ingest's cached keyframe: the last one (every 2 s of content)
    // before its ffmpeg connected, about 0.1 s after it started.
    const joinedAt = (ffmpegStarted?.time ?? t0) + 100;
    const KEYFRAME = 2;
    let contentEnd = Math.max(0, Math.floor((joinedAt - t0) / 1000 / KEYFRAME) * KEYFRAME);
    const latencies: number[] = [];
    for (const uri of order) {
      contentEnd += durations.get(uri)!;
      latencies.push((firstSeen.get(uri)! - (t0 + contentEnd * 1000)) / 1000);
    }
    const seg = latencyMode === 'low' ? 1 : 4;
    report.push(
      `${latencyMode.padEnd(8)} (${seg} s segments): publish-to-playable ${playable.toFixed(2)} s (target ≤ ${seg + 2} s); ` +
        `segment latency median ${median(latencies).toFixed(2)} s, max ${Math.max(...latencies).toFixed(2)} s over ${latencies.length} segments (target median ≤ 1 s)`,
    );
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'idle', 30_000, 'idle');
  }
} finally {
  await stack.close();
}
console.log(`\n${report.join('\n')}\n(encoder: ffmpeg testsrc2 1280x720@30 H.264 + AAC, keyframe every 2 s, real time; top rung copied in standard mode)\n`);
process.exit(0);
