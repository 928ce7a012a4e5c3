// CPU time and memory of processes, read from /proc (Linux), for the benches.
import { readFileSync } from 'node:fs';

const TICK = 100; // clock ticks per second (_SC_CLK_TCK on Linux)
const PAGE = 4096;

/** CPU seconds used so far (user + system) and resident memory of one process. */
export function procStat(pid: number): { cpu: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpu: (Number(f[11]) + Number(f[12])) / TICK, rssMb: (Number(f[21]) * PAGE) / 1e6 };
}

/** CPU seconds used so far by a process and everything it started (ffmpeg). */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      total += procStat(p).cpu;
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(child));
    } catch {
      // the process ended during the walk
    }
  };
  visit(pid);
  return total;
}

/** Resident memory (MB) of a process and of each process below it (its ffmpeg children, and theirs). */
export function treeRssMb(pid: number): { self: number; descendants: number[] } {
  const descendants: number[] = [];
  const children = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const visit = (p: number) => {
    for (const c of children(p)) {
      try {
        descendants.push(procStat(c).rssMb);
      } catch {
        continue; // ended during the walk
      }
      visit(c);
    }
  };
  visit(pid);
  return { self: procStat(pid).rssMb, descendants };
}
