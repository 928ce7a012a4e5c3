// Runs the Airwave apps as children of `npm run up`, their log lines prefixed with the app name.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { root } from './paths.js';

export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** The exit code, null when a signal ended it (then `signal` says which). */
  exited: Promise<number | null>;
  signal: Promise<NodeJS.Signals | null>;
}

const colours: Record<string, string> = { api: '\x1b[36m', worker: '\x1b[35m', ingest: '\x1b[33m' };

/** `onLine` receives each log line (default: print it with the app's name in front). */
export function startApp(name: string, entry: string, env: NodeJS.ProcessEnv, onLine?: (line: string) => void, nodeArgs: string[] = []): AppProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, entry)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tag = `${colours[name] ?? ''}${name.padEnd(6)}\x1b[0m│ `;
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', onLine ?? ((line) => process.stdout.write(`${tag}${line}\n`)));
  }
  const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  return { name, child, exited: ended.then(([code]) => code), signal: ended.then(([, signal]) => signal) };
}

export async function stopApps(apps: AppProcess[], graceMs = 10_000): Promise<void> {
  for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGTERM');
  const timer = setTimeout(() => apps.forEach((a) => a.child.exitCode === null && a.child.kill('SIGKILL')), graceMs);
  await Promise.all(apps.map((a) => a.exited));
  clearTimeout(timer);
}
