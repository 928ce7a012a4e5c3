// Installs the system programs Airwave runs that npm cannot provide, on Debian/Ubuntu as root:
// ffmpeg (Debian's 5.1: libx264, AAC, SRT) for the worker, Chromium for the browser tests, and
// GStreamer's RTSP server for the pull-ingest tests (a camera-style RTSP source; Debian's ffmpeg
// cannot serve RTSP), Prometheus for the observability test, and nginx-rtmp as bench:latency's baseline. Usage: node scripts/system-deps.mjs ffmpeg [chromium] [rtsp-server] [prometheus] [nginx-rtmp]. Skips what is already there or overridden
// (FFMPEG_PATH, CHROMIUM_PATH); elsewhere prints the command to run instead of failing silently.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = process.argv.slice(2);
const onPath = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim();

const checks = {
  ffmpeg: { pkg: 'ffmpeg', present: () => Boolean(process.env.FFMPEG_PATH || onPath('ffmpeg')) },
  chromium: { pkg: 'chromium', present: () => Boolean(process.env.CHROMIUM_PATH || existsSync('/usr/bin/chromium')) },
  'rtsp-server': {
    pkg: 'python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly',
    present: () =>
      spawnSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"], {
        stdio: 'ignore',
      }).status === 0 && existsSync('/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstx264.so'),
  },
  // Prometheus and promtool: the test that runs the dashboard's queries and checks the alert rules.
  prometheus: { pkg: 'prometheus', present: () => Boolean(onPath('prometheus') && onPath('promtool')) },
  // Only for `npm run bench:latency`'s baseline.
  'nginx-rtmp': { pkg: 'nginx libnginx-mod-rtmp', present: () => existsSync('/usr/lib/nginx/modules/ngx_rtmp_module.so') && Boolean(onPath('nginx')) },
};

const missing = wanted.filter((name) => checks[name] && !checks[name].present()).flatMap((name) => checks[name].pkg.split(' '));
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
if (!isRoot || !existsSync('/usr/bin/apt-get')) {
  console.error(
    `Airwave needs: ${missing.join(', ')}. Install them (Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')}; macOS: brew install ${missing.join(' ')}).`,
  );
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
