// npm run bench:realtime — the real-time tier measured on the real stack (API, ingest, worker, edge).
//
// Glass-to-glass: the encoder burns its content clock into every frame (24 black/white blocks, the
// frame's time in ms); the page reads the clock back from the frame it displays (canvas, at
// requestVideoFrameCallback's display time). The frame left the encoder at t0 + its content time,
// t0 being ffmpeg's start on the wall clock (-progress: wall − out_time, smallest seen). Viewers
// join a stream that has been live for BENCH_WARMUP s (20), then sample for BENCH_SECONDS (20),
// in each mode: real-time (WHEP), low-latency (LL-HLS), standard (HLS); at 30 and 29.97 fps
// (BENCH_RATES=30,30000/1001).
//
// WHEP fan-out: werift viewers in a separate process (bench/realtime/viewers.ts) on one 2 Mb/s
// stream; the edge's CPU and RSS with 1 and BENCH_VIEWERS (20) viewers give the cost per viewer.
// Time to first frame: POST whepUrl → first displayed frame, in Chromium (1 s keyframe interval).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { clockedEncoder } from '../clocked-encoder.js';
import { launchChromium } from '../../test/e2e/browser.js';
import { startStack, waitFor } from '../../test/e2e/stack.js';
import { procStat } from '../proc-stats.js';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 20);
const BITS = 24;
const BLOCK = 16;

/** ffmpeg testsrc2 + sine, H.264 with a keyframe every second, the content clock burned in (top left). */
function encoder(url: string, rate: string, bitrate = '2M') {
  const clock = `color=c=black:s=${BITS * BLOCK}x${BLOCK}:r=${rate},format=gray,geq=lum='255*mod(floor(floor(T*1000+0.5)/pow(2\\,floor(X/${BLOCK})))\\,2)'[clk];[0:v][clk]overlay=0:0:shortest=1[v]`;
  return clockedEncoder([
    '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=${rate}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-filter_complex', clock, '-map', '[v]', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate, '-g', '30', '-keyint_min', '30', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k',
    '-f', 'flv', url,
  ]);
}

/** In the page: read the burned-in clock of each displayed frame; keep [display wall ms, content ms]. */
const READ_CLOCK = `(() => {
  const video = document.querySelector('video');
  const canvas = document.createElement('canvas');
  canvas.width = ${BITS * BLOCK}; canvas.height = ${BLOCK};
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  window.clockSamples = [];
  const onFrame = (_now, meta) => {
    if (video.videoWidth >= 1280) {
      const scale = video.videoWidth / 1280;
      ctx.drawImage(video, 0, 0, ${BITS * BLOCK} * scale, ${BLOCK} * scale, 0, 0, ${BITS * BLOCK}, ${BLOCK});
      const px = ctx.getImageData(0, 0, ${BITS * BLOCK}, ${BLOCK}).data;
      let ms = 0;
      for (let b = 0; b < ${BITS}; b++) {
        const i = ((${BLOCK / 2}) * ${BITS * BLOCK} + b * ${BLOCK} + ${BLOCK / 2}) * 4;
        if (px[i] > 128) ms += 2 ** b;
      }
      window.clockSamples.push([performance.timeOrigin + meta.expectedDisplayTime, ms]);
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
})()`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const stack = await startStack('bench-realtime.test.ts', { WORKER_CONCURRENCY: '4' });
const edge = await stack.startEdge({ WEBRTC_MAX_VIEWERS: String(VIEWERS + 10) });
const edgePid = edge.app.child.pid!;
const browser = await launchChromium();
const report: string[] = [];

async function glassToGlass(mode: 'realtime' | 'low' | 'standard', playerUrl: string, t0: () => number) {
  const page = await browser.newPage();
  await page.goto(`${playerUrl}?mode=${mode}`);
  await page.waitForFunction(() => document.querySelector('video')!.videoWidth > 0 && document.querySelector('video')!.currentTime > 0.5, undefined, { timeout: 60_000 });
  await page.evaluate(READ_CLOCK);
  await page.waitForTimeout(SECONDS * 1000);
  const samples = (await page.evaluate(() => (window as any).clockSamples)) as [number, number][];
  const via = await page.evaluate(() => (window as any).airwavePlayer.via);
  // hls.js raises its target latency by 1 s per stall (liveSyncOnStallIncrease): say so when it did.
  const hls = await page.evaluate(() => {
    const h = (window as any).airwavePlayer.hls;
    return h ? { target: h.targetLatency as number, latency: h.latency as number } : undefined;
  });
  await page.close();
  const base = t0();
  // Content ms wraps at 2^24 (4.6 h): far beyond a run.
  const lat = samples.map(([shown, ms]) => (shown - (base + ms)) / 1000).filter((x) => x > -1 && x < 60);
  return { median: pct(lat, 0.5), p10: pct(lat, 0.1), p90: pct(lat, 0.9), n: lat.length, via: hls ? `${via}, hls.js target ${hls.target.toFixed(2)} s` : via };
}

async function timeToFirstFrame(whepUrl: string): Promise<{ total: number; answer: number; connected: number }> {
  const page = await browser.newPage();
  await page.goto(`${stack.apiUrl}/healthz`);
  const ms = await page.evaluate(async (url) => {
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const stream = new MediaStream();
    pc.ontrack = (e) => { stream.addTrack(e.track); video.srcObject = stream; };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((r) => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 1500); });
    const posted = performance.now();
    let connected = 0;
    pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && (connected = performance.now() - posted));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    const sdp = await res.text();
    const answer = performance.now() - posted;
    await pc.setRemoteDescription({ type: 'answer', sdp });
    const shown = await new Promise<number>((resolve) => (video as any).requestVideoFrameCallback((now: number) => resolve(now)));
    await fetch(res.headers.get('location')!, { method: 'DELETE' });
    pc.close();
    return { total: (shown - posted) / 1000, answer: answer / 1000, connected: connected / 1000 };
  }, whepUrl);
  await page.close();
  return ms;
}

try {
  for (const rate of (process.env.BENCH_RATES ?? '30,30000/1001').split(',')) {
    for (const latencyMode of (process.env.BENCH_MODES ?? 'low,standard').split(',') as ('low' | 'standard')[]) {
      const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: `bench ${latencyMode} ${rate}`, latencyMode, reconnectWindowSeconds: 0, record: false } })).body;
      const enc = encoder(s.ingestUrl, rate);
      await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'active', 60_000, 'active');
      await new Promise((r) => setTimeout(r, WARMUP * 1000));
      for (const mode of latencyMode === 'low' ? (['realtime', 'low'] as const) : (['standard'] as const)) {
        const g = await glassToGlass(mode, s.playback.playerUrl, () => enc.state.t0);
        const target = { realtime: 0.5, low: 2.0, standard: 6 }[mode];
        report.push(`${(rate === '30' ? '30 fps' : '29.97 fps').padEnd(9)} ${mode.padEnd(9)} (${g.via}): glass-to-glass median ${g.median.toFixed(2)} s (target ≤ ${target} s), p10 ${g.p10.toFixed(2)}, p90 ${g.p90.toFixed(2)}, ${g.n} frames`);
        console.log(report.at(-1));
      }
      if (latencyMode === 'low' && rate === '30') {
        // One join first: it starts the edge's feed for the stream (its cost is reported apart).
        const cold = await timeToFirstFrame(s.playback.whepUrl);
        report.push(`WHEP first viewer of the stream on the edge (starts its feed): first frame after ${cold.total.toFixed(2)} s`);
        const runs: { total: number; answer: number; connected: number }[] = [];
        for (let i = 0; i < 7; i++) runs.push(await timeToFirstFrame(s.playback.whepUrl));
        const ttff = runs.map((r) => r.total);
        report.push(
          `WHEP time to first frame (POST → first displayed frame, 1 s keyframes, the stream's feed already running): median ${pct(ttff, 0.5).toFixed(2)} s, max ${Math.max(...ttff).toFixed(2)} s (target ≤ 1 s); ` +
            `answer after ${pct(runs.map((r) => r.answer), 0.5).toFixed(2)} s, connected after ${pct(runs.map((r) => r.connected), 0.5).toFixed(2)} s (medians)`,
        );
        console.log(report.at(-1));
        // Fan-out: the edge's CPU and memory with one viewer, then with VIEWERS.
        const measure = async (n: number) => {
          const viewers = spawn(process.execPath, ['--import', 'tsx', 'bench/realtime/viewers.ts', s.playback.whepUrl, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
          let last = { connected: 0, bytes: 0 };
          createInterface({ input: viewers.stdout! }).on('line', (l) => (last = JSON.parse(l)));
          await waitFor(() => last.connected >= n, 60_000, `${n} viewers connected`);
          await new Promise((r) => setTimeout(r, 3000));
          const a = procStat(edgePid);
          const bytes0 = last.bytes;
          await new Promise((r) => setTimeout(r, 15_000));
          const b = procStat(edgePid);
          const mbps = ((last.bytes - bytes0) * 8) / 15 / 1e6 / n;
          viewers.kill('SIGTERM');
          await new Promise((r) => viewers.once('exit', r));
          return { cpu: (b.cpu - a.cpu) / 15, rss: b.rssMb, mbps };
        };
        const one = await measure(1);
        const many = await measure(VIEWERS);
        const perViewer = (many.cpu - one.cpu) / (VIEWERS - 1);
        report.push(
          `WHEP fan-out (${many.mbps.toFixed(2)} Mb/s per viewer): edge CPU ${(one.cpu * 100).toFixed(1)} % of a core with 1 viewer, ${(many.cpu * 100).toFixed(1)} % with ${VIEWERS}; ` +
            `${(perViewer * 100).toFixed(2)} % of a core per viewer → ${Math.floor(1 / perViewer)} viewers per core; RSS ${one.rss.toFixed(0)} → ${many.rss.toFixed(0)} MB (${((many.rss - one.rss) / (VIEWERS - 1)).toFixed(2)} MB per viewer)`,
        );
        console.log(report.at(-1));
      }
      await enc.stop();
      await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'idle', 30_000, 'idle');
    }
  }
} finally {
  await browser.close();
  await stack.close();
}
console.log(`\n${report.join('\n')}\n(encoder: ffmpeg testsrc2 1280x720 H.264 2 Mb/s + AAC, keyframe every 30 frames, real time; ladder of 4 rungs, top copied; Chromium, the edge and the whole stack on the same 2-core machine; viewers join after ${WARMUP} s live)\n`);
process.exit(0);
