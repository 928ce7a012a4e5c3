// npm run bench:latency — glass-to-glass latency on the real stack (API + edge, ingest, worker, S3),
// watched in headless Chromium through the player page, for `standard` (2 s segments) and `low` (1 s, LL-HLS parts).
//   player latency: Date.now() − hls.playingDate, sampled every second for BENCH_SECONDS (60) of
//     playback. playingDate comes from EXT-X-PROGRAM-DATE-TIME, stamped from the ingest's clock, so
//     this is ingest → screen.
//   encoder → ingest: when content time 0 reached the ingest (the session's timelineEpochMs) minus
//     when it left the encoder (ffmpeg's -progress: wall − out_time, smallest seen).
//   glass-to-glass = the two added. Targets: low ≤ 4 s median, standard ≤ 12 s.
//   publish-to-playable: encoder start → the master playlist answers 200.
import { clockedEncoder } from '../clocked-encoder.js';
import { launchChromium } from '../../test/e2e/browser.js';
import { startStack, waitFor } from '../../test/e2e/stack.js';

function encoder(url: string, seconds: number) {
  return clockedEncoder([
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-f', 'flv', url,
  ]);
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const stack = await startStack('bench-latency.test.ts');
const browser = await launchChromium();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const report: string[] = [];

try {
  for (const latencyMode of ['standard', 'low'] as const) {
    const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: `bench ${latencyMode}`, latencyMode, reconnectWindowSeconds: 0, record: false } })).body;
    const started = Date.now();
    const enc = encoder(s.ingestUrl, SECONDS + 60);
    await waitFor(async () => (await fetch(s.playback.hlsUrl)).ok, 60_000, 'master playlist');
    const playable = (Date.now() - started) / 1000;

    const page = await browser.newPage();
    await page.goto(s.playback.playerUrl);
    await page.waitForFunction(() => (window as any).airwavePlayer?.hls?.playingDate, undefined, { timeout: 60_000 });
    const samples: number[] = [];
    for (let i = 0; i < SECONDS; i++) {
      await page.waitForTimeout(1000);
      const ms = await page.evaluate(() => {
        const d = (window as any).airwavePlayer?.hls?.playingDate as Date | null;
        const v = document.querySelector('video')!;
        return d && !v.paused ? Date.now() - d.getTime() : null;
      });
      if (ms !== null) samples.push(ms / 1000);
    }
    await page.close();
    const session = (await stack.api.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
    const encoderToIngest = (session.stats.timelineEpochMs - enc.state.t0) / 1000;
    await enc.stop();
    const median = pct(samples, 0.5);
    const seg = latencyMode === 'low' ? 1 : 2;
    const target = latencyMode === 'low' ? 4 : 12;
    report.push(
      `${latencyMode.padEnd(8)} (${seg} s segments): glass-to-glass median ${(median + encoderToIngest).toFixed(2)} s (target ≤ ${target} s) = ` +
        `ingest→screen median ${median.toFixed(2)} s (p10 ${pct(samples, 0.1).toFixed(2)}, p90 ${pct(samples, 0.9).toFixed(2)}, ${samples.length} samples) + encoder→ingest ${encoderToIngest.toFixed(3)} s; ` +
        `publish-to-playable ${playable.toFixed(2)} s`,
    );
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'idle', 30_000, 'idle');
  }
} finally {
  await browser.close();
  await stack.close();
}
console.log(`\n${report.join('\n')}\n(encoder: ffmpeg testsrc2 1280x720@30 H.264 + AAC, keyframe every 1 s, real time; 4-rung ladder, top rung copied; Chromium + hls.js on the same 2-core machine)\n`);
process.exit(0);
