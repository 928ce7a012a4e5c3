// Spawning and supervising one ffmpeg. Stopping is SIGTERM, then SIGKILL after a grace period: an
// ffmpeg blocked reading a dead RTMP pull ignores SIGTERM (DESIGN.md §7).
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface FfmpegRun {
  pid: number | undefined;
  /** ffmpeg's stdin, when it reads its input from there (`stdin: true`). */
  stdin: import('node:stream').Writable | null;
  /** ffmpeg's stdout, when it writes its output there (`stdout: 'media'`; progress then goes to stderr). */
  stdout: import('node:stream').Readable | null;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  stoppedByUs(): boolean;
  /** The last lines ffmpeg wrote to stderr: the reason when it fails. */
  stderrTail(): string;
  /** Latest `-progress` figures: speed (1.0 means real time) and frames dropped so far. */
  progress(): { speed?: number; dropFrames?: number };
  /** The input's start time as ffmpeg reported it (seconds on the source's clock). */
  inputStartSeconds(): number | undefined;
  stop(graceMs?: number): Promise<void>;
}

export function resolveFfmpeg(configured: string | undefined): string {
  if (configured) return configured;
  const found = spawnSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('ffmpeg not found: install it (npm run up / npm test do on Debian) or set FFMPEG_PATH');
  return found;
}

/**
 * The secrets in ffmpeg's arguments: stream keys are the last path segment of RTMP/SRT URLs (ours and
 * simulcast destinations'), tokens ride in query strings. ffmpeg echoes its inputs and outputs on
 * stderr, and stderr ends up in logs and in error messages, so each is cut to a short prefix there.
 */
export function secretsOf(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (!/^(rtmps?|rtsps?|srt|https?):\/\//.test(arg)) continue;
    // A pulled camera's credentials (rtsp://user:password@host/…).
    const userinfo = /^[a-z]+:\/\/([^/@]*)@/.exec(arg)?.[1];
    const password = userinfo?.split(':')[1];
    if (password) out.push(password, decodeURIComponentSafe(password));
    const [base, query] = arg.split('?');
    const last = base!.slice(base!.lastIndexOf('/') + 1);
    if (last.length >= 16) out.push(last);
    for (const [, v] of new URLSearchParams(query ?? '')) if (v.length >= 16) out.push(v);
  }
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function redact(line: string, secrets: string[]): string {
  // A long secret keeps a short prefix (which key it was); a short one (a password) nothing.
  return secrets.reduce((l, s) => l.replaceAll(s, s.length >= 16 ? `${s.slice(0, 8)}…` : '***'), line);
}

let deathSignal: string[] | undefined;

/**
 * An ffmpeg outlives a worker killed with SIGKILL (or by the OOM killer) and would go on pulling
 * from the ingest while the session is taken over elsewhere. util-linux's `setpriv` sets the
 * parent-death signal and then execs ffmpeg (same pid), so ffmpeg dies with its worker. Where it is
 * missing, ffmpeg runs as is (in a container the whole pod dies anyway).
 */
export function withParentDeathSignal(bin: string, args: string[]): [string, string[]] {
  deathSignal ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true']).status === 0 ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
  return deathSignal.length ? [deathSignal[0]!, [...deathSignal.slice(1), bin, ...args]] : [bin, args];
}

export function runFfmpeg(bin: string, args: string[], opts: { stdin?: boolean; stdout?: 'progress' | 'media' } = {}): FfmpegRun {
  const child = spawn(...withParentDeathSignal(bin, args), { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  // ffmpeg exiting first makes writes to its stdin fail (EPIPE): that is its exit, handled below.
  child.stdin?.on('error', () => {});
  const secrets = secretsOf(args);
  const tail: string[] = [];
  let stopping = false;
  const progress: { speed?: number; dropFrames?: number } = {};
  let inputStart: number | undefined;
  const readProgress = (line: string) => {
    const speed = /^speed=\s*([\d.]+)x/.exec(line);
    if (speed) progress.speed = Number(speed[1]);
    const drops = /^drop_frames=(\d+)/.exec(line);
    if (drops) progress.dropFrames = Number(drops[1]);
    return /^[a-z_0-9]+=/.test(line);
  };
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (opts.stdout === 'media' && readProgress(line)) return; // `-progress pipe:2`
    // "  Duration: N/A, start: 12.345000, bitrate: N/A" under "Input #0": where the input's clock began.
    const start = inputStart === undefined ? /^\s+Duration: .*, start: (-?[\d.]+)/.exec(line) : null;
    if (start) inputStart = Number(start[1]);
    if (/Opening '.*' for writing/.test(line)) return; // one per segment: keep the tail for what matters
    tail.push(redact(line, secrets));
    if (tail.length > 20) tail.shift();
  });
  if (opts.stdout !== 'media') createInterface({ input: child.stdout! }).on('line', readProgress);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      tail.push(err.message);
      resolve(-1);
    });
  });
  return {
    pid: child.pid,
    stdin: child.stdin,
    stdout: opts.stdout === 'media' ? child.stdout : null,
    exited,
    stoppedByUs: () => stopping,
    stderrTail: () => tail.join('\n'),
    progress: () => ({ ...progress }),
    inputStartSeconds: () => inputStart,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs a one-shot command (a file in, a file out) to its end; rejects with ffmpeg's last lines. Query
 * strings are cut too: the inputs are playlists naming presigned URLs, which are not in the args.
 */
export async function runFfmpegToCompletion(bin: string, args: string[]): Promise<void> {
  const run = runFfmpeg(bin, args);
  const code = await run.exited;
  if (code === 0) return;
  const tail = run.stderrTail().trim().split('\n').slice(-2).join(' | ');
  throw new Error(`ffmpeg exited ${code}: ${tail.replace(/\?[^\s'"]*/g, '?…')}`);
}

/** ffmpeg's ways of saying the input cannot be processed at all, as opposed to crashing. */
const UNSUPPORTED = [
  /Decoder \(codec [^)]+\) not found/i,
  /Unsupported codec/i,
  /could not find codec parameters/i,
  /Invalid data found when processing input/i,
  /no decoder/i,
  /Output file #0 does not contain any stream/i,
];

export function unsupportedInputReason(stderr: string): string | undefined {
  const line = stderr.split('\n').find((l) => UNSUPPORTED.some((re) => re.test(l)));
  return line?.trim();
}
