// npm run bench:ladder — CPU-seconds per content-second of the live ladder (one ffmpeg, decode once,
// top rung copied when allowed) against the naive set-up of nginx-rtmp `exec`: one ffmpeg per
// rendition on the same input. Then density: concurrent real-time 720p30 ladders on this machine.
// Target: ratio ≤ 0.6.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildLadderArgs } from '../../apps/worker/src/transcode/ffmpeg-args.js';
import { AUDIO_BITRATE, planLadder, type Rung, type SourceInfo } from '../../apps/worker/src/transcode/ladder.js';
import { ffmpegCpu, makeSource } from './cpu.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const all = ['1080p', '720p', '480p', '360p', '240p'];
const dir = await mkdtemp(path.join(os.tmpdir(), 'airwave-bench-'));

async function ours(input: string, source: SourceInfo, rungs: Rung[], extra: string[] = []) {
  const out = path.join(dir, `ours-${Math.random().toString(36).slice(2)}`);
  await Promise.all(rungs.map((r) => mkdir(path.join(out, r.name), { recursive: true })));
  const args = buildLadderArgs({ input, source, rungs, segmentSeconds: 4, outputDir: out, runTag: 'b' });
  const i = args.indexOf('-i');
  return ffmpegCpu([...args.slice(0, i), ...extra, ...args.slice(i)]);
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

const rows: string[] = [];
for (const [label, size, height] of [['720p30 source, 4 rungs', '1280x720', 720], ['1080p30 source, 5 rungs', '1920x1080', 1080]] as const) {
  const input = path.join(dir, `src-${height}.flv`);
  await makeSource(input, size, SECONDS);
  const source: SourceInfo = { hasVideo: true, hasAudio: true, width: Number(size.split('x')[0]), height, fps: 30, videoCodec: 'h264', audioCodec: 'aac', keyframeIntervalSeconds: 2 };
  const copyRungs = planLadder(source, all, 4);
  const encodeRungs = planLadder(source, all);
  const copy = await ours(input, source, copyRungs);
  const encodeAll = await ours(input, source, encodeRungs);
  const base = await naive(input, encodeRungs);
  const per = (cpu: number) => (cpu / SECONDS).toFixed(3);
  rows.push(
    `${label}: naive ${per(base)} CPU-s/s | ours, top copied ${per(copy.cpuSeconds)} (ratio ${(copy.cpuSeconds / base).toFixed(2)}) | ours, all encoded ${per(encodeAll.cpuSeconds)} (ratio ${(encodeAll.cpuSeconds / base).toFixed(2)})`,
  );
}

// Density: N ladders at once, each reading its input in real time; real time means speed ≥ 1.0.
const input720 = path.join(dir, 'src-720.flv');
const source720: SourceInfo = { hasVideo: true, hasAudio: true, width: 1280, height: 720, fps: 30, videoCodec: 'h264', audioCodec: 'aac', keyframeIntervalSeconds: 2 };
const density: string[] = [];
let realTime = 0;
for (let n = 1; n <= 6; n++) {
  const runs = await Promise.all(Array.from({ length: n }, () => ours(input720, source720, planLadder(source720, all, 4), ['-re'])));
  const speeds = runs.map((r) => r.lastSpeed ?? 0);
  const minSpeed = Math.min(...speeds);
  density.push(`${n} session(s): slowest speed ${minSpeed.toFixed(2)}x`);
  if (minSpeed < 0.99) break;
  realTime = n;
}

await rm(dir, { recursive: true, force: true });
console.log(`\nladder cost (${SECONDS} s of content, libx264 veryfast, ${os.cpus().length} cores)`);
for (const r of rows) console.log(`  ${r}`);
console.log(`\ndensity, 720p30 source with the top rung copied:\n  ${density.join('\n  ')}\n  => ${realTime} concurrent real-time session(s) on this machine\n`);
