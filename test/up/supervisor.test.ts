// The supervisor of `npm run up`: an app that exits is restarted without touching the others; one
// that keeps failing is left down with its last output printed and named in the state file /readyz
// reads; stop() ends them all.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Supervisor } from '../../scripts/up/supervisor.js';
import { waitFor } from '../e2e/stack.js';

const entry = 'test/up/fixtures/app.ts';
const alive = (pid: number | undefined) => {
  try {
    process.kill(pid!, 0);
    return true;
  } catch {
    return false;
  }
};

let sup: Supervisor | undefined;
let dir = '';
afterEach(async () => {
  await sup?.stop(2000);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function start(said: string[]) {
  return new Supervisor({ say: (m) => said.push(m), stateFile: path.join(dir, 'supervisor.json'), baseDelayMs: 50, maxDelayMs: 400, healthyMs: 60_000 });
}

it('restarts a killed app with back-off and leaves the others running', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airwave-sup-'));
  const said: string[] = [];
  sup = start(said);
  const worker = sup.start({ name: 'worker-1', entry, env: { PATH: process.env.PATH } });
  const other = sup.start({ name: 'worker-2', entry, env: { PATH: process.env.PATH } });
  const [firstPid, otherPid] = [worker.current.child.pid, other.current.child.pid];
  await waitFor(() => alive(firstPid) && alive(otherPid), 10_000, 'apps up');
  process.kill(firstPid!, 'SIGKILL');
  await waitFor(() => worker.restarts === 1 && alive(worker.current.child.pid), 15_000, 'restarted');
  expect(worker.current.child.pid).not.toBe(firstPid);
  expect(said.some((m) => m.includes('worker-1 was killed by SIGKILL; restarting in 0.05 s'))).toBe(true);
  // The other app never noticed.
  expect(other.current.child.pid).toBe(otherPid);
  expect(other.restarts).toBe(0);
  expect(alive(otherPid)).toBe(true);
  expect(JSON.parse(await readFile(path.join(dir, 'supervisor.json'), 'utf8')).down).toEqual({});
});

it('leaves an app that fails 5 times within a minute down, prints its last 20 lines and names it in the state file', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airwave-sup-'));
  const said: string[] = [];
  sup = start(said);
  const broken = sup.start({ name: 'ingest', entry, env: { PATH: process.env.PATH, APP_EXIT_CODE: '3' } });
  await waitFor(() => broken.down, 30_000, 'left down');
  expect(broken.restarts).toBe(4);
  expect(said.filter((m) => m.startsWith('ingest exited with code 3; restarting'))).toHaveLength(4);
  // Back-off doubles: 50, 100, 200, 400 ms (capped).
  expect(said.filter((m) => m.includes('restarting in')).map((m) => /in ([\d.]+) s/.exec(m)![1])).toEqual(['0.05', '0.1', '0.2', '0.4']);
  const report = said.at(-1)!;
  expect(report).toContain('ingest exited with code 3; failed 5 times within 60 s, left down');
  const lines = report.split('\n').slice(1);
  expect(lines).toHaveLength(20);
  expect(lines.at(-1)).toContain('fatal: cannot start');
  const state = JSON.parse(await readFile(path.join(dir, 'supervisor.json'), 'utf8'));
  expect(state.down.ingest).toContain('left down');
});

it('stop() ends every app, and nothing is restarted after it', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airwave-sup-'));
  sup = start([]);
  const apps = ['api', 'ingest', 'worker-1'].map((name) => sup!.start({ name, entry, env: { PATH: process.env.PATH } }));
  await waitFor(() => apps.every((a) => alive(a.current.child.pid)), 10_000, 'apps up');
  const pids = apps.map((a) => a.current.child.pid);
  await sup.stop(2000);
  await new Promise((r) => setTimeout(r, 300));
  expect(pids.filter(alive)).toEqual([]);
  expect(apps.every((a) => a.restarts === 0)).toBe(true);
});
