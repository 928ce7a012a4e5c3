// An ffmpeg encoder for the latency benches, publishing in real time, that knows when it started on
// the wall clock: t0 = wall time − out_time (ffmpeg's -progress), smallest seen. A frame with
// content time t left the encoder at t0 + t.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export function clockedEncoder(args: string[]) {
  const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', ...args.slice(0, -1), '-progress', 'pipe:1', '-stats_period', '0.2', args.at(-1)!]);
  const state = { t0: Number.POSITIVE_INFINITY };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = /^out_time_us=(\d+)/.exec(line);
    if (m && Number(m[1]) > 0) state.t0 = Math.min(state.t0, Date.now() - Number(m[1]) / 1000);
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    state,
    stop: async () => {
      child.kill('SIGINT');
      await exited;
    },
  };
}
