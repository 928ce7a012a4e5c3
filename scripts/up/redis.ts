// REDIS_URL when set; else a Redis answering on 127.0.0.1:6379; else a redis-server/valkey-server
// from PATH on a free port (data under .airwave/redis); else, as root on Debian/Ubuntu, install
// Debian's redis-server first; else stop with the one command that installs it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { firstFreePort, tcpAnswers } from './net.js';
import { stateDir } from './paths.js';

export interface RedisChoice {
  url: string;
  source: string;
  stop(): Promise<void>;
}

const onPath = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim() || undefined;

async function pings(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function installRedis(): string | undefined {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return undefined;
  console.log('installing redis-server with apt-get (Debian package)…');
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  const res = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return res.status === 0 ? onPath('redis-server') : undefined;
}

export async function resolveRedis(): Promise<RedisChoice> {
  const none = async () => {};
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, source: 'REDIS_URL', stop: none };
  if ((await tcpAnswers('127.0.0.1', 6379)) && (await pings('redis://127.0.0.1:6379'))) {
    return { url: 'redis://127.0.0.1:6379', source: 'local Redis on 127.0.0.1:6379', stop: none };
  }
  const bin = onPath('redis-server') ?? onPath('valkey-server') ?? installRedis();
  if (!bin) {
    throw new Error(
      'Redis is needed and none was found. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const port = await firstFreePort(6380);
  const dir = path.join(stateDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(bin, ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '60 1', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await pings(url)); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    url,
    source: `${path.basename(bin)} on 127.0.0.1:${port} (data in .airwave/redis)`,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}
