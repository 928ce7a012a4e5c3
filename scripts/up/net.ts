import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

/** True when something accepts TCP connections on host:port within the timeout. */
export function tcpAnswers(host: string, port: number, timeoutMs = 700): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when we could listen on host:port ourselves. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function firstFreePort(from: number): Promise<number> {
  for (let port = from; port < from + 100; port++) if (await portIsFree(port)) return port;
  throw new Error(`no free port in ${from}–${from + 99}`);
}

/**
 * A free port for a test stack or a benchmark's service (TCP and UDP both free), picked below the
 * kernel's ephemeral range. Ports the OS hands out for `listen(0)` come from the range outgoing
 * connections take their source ports from: released and handed to a child process a moment later,
 * such a port was sometimes already the source port of some connection (EADDRINUSE). Concurrent
 * vitest workers draw from disjoint blocks (VITEST_POOL_ID), and a process never hands one out twice.
 */
export async function ephemeralPort(): Promise<number> {
  const [low, size] = portBlock();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * size);
    if (handedOut.has(port)) continue;
    if ((await portIsFree(port)) && (await udpPortIsFree(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${low}–${low + size - 1}`);
}

const handedOut = new Set<number>();
const BLOCKS = 8;

function portBlock(): [low: number, size: number] {
  const low = 20_000;
  const high = kernelEphemeralLow() - 1;
  const pool = Number(process.env.VITEST_POOL_ID);
  if (!Number.isInteger(pool) || pool < 1) return [low, high - low + 1];
  const size = Math.floor((high - low + 1) / BLOCKS);
  return [low + ((pool - 1) % BLOCKS) * size, size];
}

function kernelEphemeralLow(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return first > 21_000 ? first : 32_768;
  } catch {
    return 32_768; // Linux's default; macOS starts at 49152
  }
}

function udpPortIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}
