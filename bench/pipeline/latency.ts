// npm run bench:latency — publish-to-playable and per-segment latency on the real stack (API,
// ingest, worker, S3 + CDN), for `standard` (4 s segments) and `low` (1 s) latency modes.
//   publish-to-playable: encoder start → the master playlist answers 200 at the CDN URL.
//     Target ≤ segment length + 2 s.
//   segment latency: when a segment appears in the CDN playlist, minus the wall time the encoder
//     sent its last frame (it streams in real time from t0, so content time t leaves at t0 + t).
//     Target median ≤ 1 s.
import HLS from 'hls-parser';
import { startEncoder, startStack, waitFor } from '../../test/e2e/stack.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 24);
const stack = await startStack('bench-latency.test.ts', { LOG_LEVEL: 'warn' });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const report: string[] = [];

try {
  for (const latencyMode of ['standard', 'low'] as const) {
    const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: `bench ${latencyMode}`, latencyMode, reconnectWindowSeconds: 0 } })).body;
    const t0 = Date.now();
    const encoder = startEncoder(s.ingestUrl, { seconds: SECONDS + 10 });
    await waitFor(async () => (await fetch(s.playback.hlsUrl)).ok, 60_000, 'master playlist');
    const playable = (Date.now() - t0) / 1000;

    const mediaUrl = s.playback.hlsUrl.replace(/index\.m3u8$/, '720p/index.m3u8');
    const firstSeen = new Map<string, number>();
    const durations = new Map<string, number>();
    const order: string[] = [];
    while (Date.now() - t0 < SECONDS * 1000) {
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
    await encoder.stop();
    let contentEnd = 0;
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
