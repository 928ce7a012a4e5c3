// Runs ffmpeg under bash and reads its CPU time from `times` (children's user + system seconds).
import { spawn } from 'node:child_process';

export interface CpuRun {
  cpuSeconds: number;
  wallSeconds: number;
  lastSpeed?: number;
}

export function ffmpegCpu(args: string[]): Promise<CpuRun> {
  const started = Date.now();
  const child = spawn('bash', ['-c', 'ffmpeg "$@" >/tmp/airwave-bench-progress.$$ 2>/dev/null; tail -n 20 /tmp/airwave-bench-progress.$$ | grep "^speed=" | tail -1; rm -f /tmp/airwave-bench-progress.$$; times', '_', ...args]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    child.once('exit', () => {
      const lines = out.trim().split('\n');
      // `times` prints two lines: the shell's own times, then its children's ("0m1.234s 0m0.567s").
      const children = lines[lines.length - 1]!.match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
      const sec = (m: string, s: string) => Number(m) * 60 + Number(s);
      const cpuSeconds = children ? sec(children[1]!, children[2]!) + sec(children[3]!, children[4]!) : NaN;
      const speed = out.match(/speed=\s*([\d.]+)x/);
      resolve({ cpuSeconds, wallSeconds: (Date.now() - started) / 1000, lastSpeed: speed ? Number(speed[1]) : undefined });
    });
  });
}
