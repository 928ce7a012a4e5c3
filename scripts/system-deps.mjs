// Installs the system programs Airwave runs that npm cannot provide, on Debian/Ubuntu as root:
// ffmpeg (Debian's 5.1: libx264, AAC, SRT) for the worker, and Chromium for the browser tests.
// Usage: node scripts/system-deps.mjs ffmpeg [chromium]. Skips what is already there or overridden
// (FFMPEG_PATH, CHROMIUM_PATH); elsewhere prints the command to run instead of failing silently.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = process.argv.slice(2);
const onPath = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim();

const checks = {
  ffmpeg: { pkg: 'ffmpeg', present: () => Boolean(process.env.FFMPEG_PATH || onPath('ffmpeg')) },
  chromium: { pkg: 'chromium', present: () => Boolean(process.env.CHROMIUM_PATH || existsSync('/usr/bin/chromium')) },
};

const missing = wanted.filter((name) => checks[name] && !checks[name].present()).map((name) => checks[name].pkg);
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
if (!isRoot || !existsSync('/usr/bin/apt-get')) {
  console.error(`Airwave needs: ${missing.join(', ')}. Install them (Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')}; macOS: brew install ${missing.join(' ')}).`);
  process.exit(1);
}
console.log(`installing ${missing.join(', ')} with apt-get (Debian packages)…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
if (!run(['install', '-y', '--no-install-recommends', ...missing])) {
  // A fresh machine may not have package lists yet.
  if (!run(['update']) || !run(['install', '-y', '--no-install-recommends', ...missing])) {
    console.error(`apt-get could not install ${missing.join(', ')}`);
    process.exit(1);
  }
}
console.log(`installed ${missing.join(', ')}`);
