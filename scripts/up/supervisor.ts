// Keeps the Airwave apps of a single box running: a process that exits unexpectedly is restarted
// with back-off (1 s doubling to 30 s, reset after 60 s healthy) and never takes the others down.
// One that fails 5 times in a row within a minute is left down, its last output printed and its
// name written to a state file the API's /readyz reads. stop() (Ctrl-C) stops them all.
import { renameSync, writeFileSync } from 'node:fs';
import { startApp, stopApps, type AppProcess } from './apps.js';

export interface SupervisorOptions {
  say(message: string): void;
  /** JSON `{ down: { <name>: <reason> } }`, rewritten on every change (SUPERVISOR_STATE_FILE). */
  stateFile?: string;
  /** Where each app's output lines go (default: printed with the app's name). */
  onLine?(name: string, line: string): void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  healthyMs?: number;
  maxFailures?: number;
  failureWindowMs?: number;
}

export interface AppSpec {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
}

const TAIL_LINES = 20;

/** One supervised app: the process running now, and its recent history. */
export class SupervisedApp {
  current: AppProcess;
  restarts = 0;
  down?: string;
  private failures: number[] = [];
  private delayMs: number;
  private readonly tail: string[] = [];
  private timer?: NodeJS.Timeout;
  private readonly listeners: ((p: AppProcess) => void)[] = [];

  constructor(
    readonly spec: AppSpec,
    private readonly sup: Supervisor,
  ) {
    this.delayMs = sup.o.baseDelayMs;
    this.current = this.spawn();
  }

  /** Called with each new process after a restart. */
  onRestart(fn: (p: AppProcess) => void): void {
    this.listeners.push(fn);
  }

  private spawn(): AppProcess {
    const startedAt = Date.now();
    const p = startApp(this.spec.name, this.spec.entry, this.spec.env, (line) => {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      this.sup.o.onLine(this.spec.name, line);
    });
    void Promise.all([p.exited, p.signal]).then(([code, signal]) => this.exited(p, startedAt, code, signal));
    return p;
  }

  private exited(p: AppProcess, startedAt: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.sup.stopping || p !== this.current) return;
    const o = this.sup.o;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const now = Date.now();
    // A run that stayed up long enough was healthy: the next failure starts the count afresh.
    if (now - startedAt >= o.healthyMs) {
      this.failures = [];
      this.delayMs = o.baseDelayMs;
    }
    this.failures = [...this.failures.filter((t) => now - t < o.failureWindowMs), now];
    if (this.failures.length >= o.maxFailures) {
      this.down = `${how}; failed ${this.failures.length} times within ${Math.round(o.failureWindowMs / 1000)} s, left down`;
      o.say(`\x1b[31m${this.spec.name} ${this.down}. Its last output:\x1b[0m\n${this.tail.map((l) => `    ${l}`).join('\n')}`);
      this.sup.writeState();
      return;
    }
    const delay = this.delayMs;
    this.delayMs = Math.min(o.maxDelayMs, this.delayMs * 2);
    o.say(`${this.spec.name} ${how}; restarting in ${delay / 1000} s (the other processes keep running)`);
    this.timer = setTimeout(() => {
      if (this.sup.stopping) return;
      this.restarts++;
      this.current = this.spawn();
      o.say(`${this.spec.name} restarted (pid ${this.current.child.pid})`);
      for (const fn of this.listeners) fn(this.current);
    }, delay);
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}

export class Supervisor {
  readonly o: Required<Omit<SupervisorOptions, 'stateFile'>> & Pick<SupervisorOptions, 'stateFile'>;
  readonly apps: SupervisedApp[] = [];
  stopping = false;

  constructor(opts: SupervisorOptions) {
    this.o = {
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      healthyMs: 60_000,
      maxFailures: 5,
      failureWindowMs: 60_000,
      onLine: () => {},
      ...opts,
    };
    this.writeState();
  }

  start(spec: AppSpec): SupervisedApp {
    const app = new SupervisedApp(spec, this);
    this.apps.push(app);
    return app;
  }

  get(name: string): SupervisedApp | undefined {
    return this.apps.find((a) => a.spec.name === name);
  }

  /** What /readyz reports: the apps left down and why. */
  writeState(): void {
    if (!this.o.stateFile) return;
    const down = Object.fromEntries(this.apps.filter((a) => a.down).map((a) => [a.spec.name, a.down!]));
    const tmp = `${this.o.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ pid: process.pid, down }));
    renameSync(tmp, this.o.stateFile);
  }

  /** Stops every app (SIGTERM, then SIGKILL after the grace period); none is restarted. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const a of this.apps) a.cancel();
    await stopApps(
      this.apps.map((a) => a.current),
      graceMs,
    );
  }
}
