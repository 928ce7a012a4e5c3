// `npm run up` (scripts/up/main.ts, its supervisor and every app under it) started as a user starts
// it, on a database schema, Redis prefix, bucket, state directory and ports of its own: for the
// supervised-stack E2E and the chaos benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestEnv, startTestStorage } from '@airwave/testing';
import { ephemeralPort } from '../../scripts/up/net.js';
import { readEnvFile } from '../../scripts/up/paths.js';
import { waitFor } from './stack.js';

export interface Proc {
  pid: number;
  ppid: number;
  /** Arguments separated by line feeds. */
  cmdline: string;
  environ: string;
}

/** Every live process under `root` (its children, theirs, …), read from /proc. */
export function processTree(root: number): Proc[] {
  const all: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const read = (f: string) => readFileSync(`/proc/${name}/${f}`).toString('utf8').replaceAll('\0', '\n');
      all.push({ pid: Number(name), ppid, cmdline: read('cmdline'), environ: read('environ') });
    } catch {
      // it exited while we looked
    }
  }
  const out: Proc[] = [];
  const walk = (pid: number) => all.filter((p) => p.ppid === pid).forEach((p) => (out.push(p), walk(p.pid)));
  walk(root);
  return out;
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export const portAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

export type UpStack = Awaited<ReturnType<typeof startUpStack>>;

export async function startUpStack(name: string, env: Record<string, string> = {}) {
  const testEnv = await createTestEnv(name);
  const storage = await startTestStorage();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'airwave-up-'));
  const ports = {
    api: await ephemeralPort(),
    internal: await ephemeralPort(),
    rtmp: await ephemeralPort(),
    rtmps: await ephemeralPort(),
    edge: await ephemeralPort(),
    whip: await ephemeralPort(),
  };
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const up: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/up/main.ts'], {
    env: {
      ...process.env,
      AIRWAVE_STATE_DIR: stateDir,
      DATABASE_URL: testEnv.config.databaseUrl,
      REDIS_URL: testEnv.config.redis.url,
      REDIS_PREFIX: testEnv.config.redis.prefix,
      ...storage.env,
      API_PORT: String(ports.api),
      API_INTERNAL_PORT: String(ports.internal),
      API_PUBLIC_URL: apiUrl,
      INGEST_RTMP_PORT: String(ports.rtmp),
      INGEST_RTMPS_PORT: String(ports.rtmps),
      INGEST_SRT_PORT: '0',
      INGEST_WHIP_PORT: String(ports.whip),
      INGEST_PUBLIC_HOST: '127.0.0.1',
      EDGE_PORT: String(ports.edge),
      EDGE_PUBLIC_URL: `http://127.0.0.1:${ports.edge}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  up.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  up.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => output.includes('Airwave is running') || up.exitCode !== null, 120_000, 'npm run up did not start');
  if (up.exitCode !== null) throw new Error(`npm run up exited:\n${output.slice(-3000)}`);
  const apiKey = readEnvFile(path.join(stateDir, 'local.env')).AIRWAVE_API_KEY!;

  return {
    up,
    ports,
    apiUrl,
    apiKey,
    db: testEnv.db,
    output: () => output,
    tree: () => processTree(up.pid!),
    /** The pid of the app whose entry file is `entry` (e.g. apps/api/src/server.ts). */
    appPid: (entry: string) => processTree(up.pid!).find((p) => p.cmdline.includes(entry) && p.cmdline.includes('node'))?.pid,
    async call(method: string, url: string, body?: unknown) {
      const res = await fetch(`${apiUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: res.status === 204 ? undefined : await res.json().catch(() => undefined) };
    },
    /** Ctrl-C, as a user stops it; answers what of the process tree was still running after. */
    async stop(): Promise<Proc[]> {
      let left: Proc[] = [];
      if (up.exitCode === null) {
        const tree = processTree(up.pid!);
        up.kill('SIGINT');
        await new Promise((r) => up.once('exit', r));
        // Helpers that end when their parent does (tsx's esbuild service) take a moment.
        for (let i = 0; i < 25 && tree.some((p) => alive(p.pid)); i++) await new Promise((r) => setTimeout(r, 200));
        left = tree.filter((p) => alive(p.pid));
      }
      await storage.close();
      await testEnv.cleanup();
      await rm(stateDir, { recursive: true, force: true });
      return left;
    },
  };
}
