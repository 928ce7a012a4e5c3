// npm run bench:latency — glass-to-glass latency on the real stack (API + edge, ingest, worker, S3),
// watched in headless Chromium through the player page, for `standard` (2 s segments) and `low` (1 s, LL-HLS parts).
//   player latency: Date.now() − hls.playingDate, sampled every second for BENCH_SECONDS (60) of
//     playback. playingDate comes from EXT-X-PROGRAM-DATE-TIME, stamped from the ingest's clock, so
//     this is ingest → screen.
//   encoder → ingest: when content time 0 reached the ingest (the session's timelineEpochMs) minus
//     when it left the encoder (ffmpeg's -progress: wall − out_time, smallest seen).
//   glass-to-glass = the two added. Targets: low ≤ 4 s median, standard ≤ 12 s.
//   first playable: encoder start → the master playlist at the CDN URL answers 200 and its first
//     rendition lists a segment (polled every 20 ms), median of BENCH_PLAYABLE_RUNS (5), beside
//     nginx-rtmp (`hls on`, hls_fragment = our segment length) fed by the same encoder in the same
//     run: the set-up self-hosters compare against. Target (issue 15): ≤ 1.2× nginx-rtmp.
import { clockedEncoder } from '../clocked-encoder.js';
import { firstFreePort } from '../../scripts/up/net.js';
import { startNginxRtmp } from './nginx-rtmp.js';
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
const PLAYABLE_RUNS = Number(process.env.BENCH_PLAYABLE_RUNS ?? 5);

/** BENCH_TRACE=1: what the stack logged between the encoder's start and first playable, timed. */
function trace(from: number, started: number) {
  if (process.env.BENCH_TRACE !== '1') return;
  for (const line of stack.logs.slice(from)) {
    const json = line.slice(line.indexOf(': ') + 2);
    try {
      const entry = JSON.parse(json) as { time: number; msg: string };
      console.log(`  +${((entry.time - started) / 1000).toFixed(3)} s ${line.slice(0, line.indexOf(': '))} ${entry.msg}`);
    } catch {
      // not a JSON log line (ffmpeg's own output)
    }
  }
}

/** Seconds from the encoder's start until `url` is a playlist naming a segment (or, for a master, until its first rendition does). */
async function firstPlayable(ingestUrl: string, url: string): Promise<number> {
  const started = Date.now();
  const enc = encoder(ingestUrl, 30);
  const text = async (u: string) => {
    const r = await fetch(u, { cache: 'no-store' }).catch(() => undefined);
    return r?.ok ? r.text() : undefined;
  };
  try {
    for (;;) {
      const body = await text(url);
      const variant = body?.split('\n').find((l) => l && !l.startsWith('#'));
      if (body && variant) {
        const media = body.includes('#EXT-X-STREAM-INF') ? await text(new URL(variant, url).toString()) : body;
        if (media && /#EXTINF|#EXT-X-PART:/.test(media)) return (Date.now() - started) / 1000;
      }
      if (Date.now() - started > 60_000) throw new Error(`not playable within 60 s: ${url}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await enc.stop();
  }
}
const stack = await startStack('bench-latency.test.ts');
const browser = await launchChromium();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const report: string[] = [];
const playable: string[] = [];

try {
  for (const latencyMode of ['standard', 'low'] as const) {
    const seg = latencyMode === 'low' ? 1 : 2;
    // First playable, side by side with nginx-rtmp at the same segment length.
    const nginx = await startNginxRtmp(seg, await firstFreePort(19350), await firstFreePort(18090));
    const ours: number[] = [];
    const theirs: number[] = [];
    try {
      for (let i = 0; i < PLAYABLE_RUNS; i++) {
        const p = (await stack.api.call('POST', '/v1/live-streams', { body: { name: `playable ${latencyMode} ${i}`, latencyMode, reconnectWindowSeconds: 0, record: false } })).body;
        const from = stack.logs.length;
        const at = Date.now();
        ours.push(await firstPlayable(p.ingestUrl, p.playback.hlsUrl));
        trace(from, at);
        await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${p.id}`)).body.status === 'idle', 30_000, 'idle');
        theirs.push(await firstPlayable(`${nginx.rtmpUrl}/bench${latencyMode}${i}`, nginx.playlistUrl(`bench${latencyMode}${i}`)));
      }
    } finally {
      await nginx.close();
    }
    const oursMedian = pct(ours, 0.5);
    const theirsMedian = pct(theirs, 0.5);
    playable.push(
      `${latencyMode.padEnd(8)} (${seg} s segments): Airwave ${oursMedian.toFixed(2)} s (${ours.map((x) => x.toFixed(2)).join(', ')}) | ` +
        `nginx-rtmp ${theirsMedian.toFixed(2)} s (${theirs.map((x) => x.toFixed(2)).join(', ')}) | ratio ${(oursMedian / theirsMedian).toFixed(2)} (target ≤ 1.2)`,
    );

    const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: `bench ${latencyMode}`, latencyMode, reconnectWindowSeconds: 0, record: false } })).body;
    const enc = encoder(s.ingestUrl, SECONDS + 60);
    await waitFor(async () => (await fetch(s.playback.hlsUrl)).ok, 60_000, 'master playlist');

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
    const target = latencyMode === 'low' ? 4 : 12;
    report.push(
      `${latencyMode.padEnd(8)} (${seg} s segments): glass-to-glass median ${(median + encoderToIngest).toFixed(2)} s (target ≤ ${target} s) = ` +
        `ingest→screen median ${median.toFixed(2)} s (p10 ${pct(samples, 0.1).toFixed(2)}, p90 ${pct(samples, 0.9).toFixed(2)}, ${samples.length} samples) + encoder→ingest ${encoderToIngest.toFixed(3)} s`,
    );
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'idle', 30_000, 'idle');
  }
} finally {
  await browser.close();
  await stack.close();
}
console.log(`\nglass-to-glass\n${report.join('\n')}\n\nfirst playable (encoder start → playlist naming a segment)\n${playable.join('\n')}\n(encoder: ffmpeg testsrc2 1280x720@30 H.264 + AAC, keyframe every 1 s, real time; 4-rung ladder, top rung copied; Chromium + hls.js on the same 2-core machine)\n`);
process.exit(0);
