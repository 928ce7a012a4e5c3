// npm run up: one command from a fresh clone to a running local Airwave.
import { createProjectWithKey, sha256Hex } from '@airwave/core';
import { createDb } from '@airwave/db';
import { deployMigrations } from '@airwave/db/migrations';
import { envFor } from '@airwave/config';
import { Supervisor } from './supervisor.js';
import { portIsFree, tcpAnswers } from './net.js';
import path from 'node:path';
import { startLocalS3, type LocalS3 } from '@airwave/storage';
import { ensureSelfSignedCert } from './tls.js';
import { ensureStateDir, localEnvPath, localSecrets, readEnvFile, stateDir, writeEnvFile } from './paths.js';
import { resolvePostgres, type PostgresChoice } from './postgres.js';
import { resolveRedis, type RedisChoice } from './redis.js';

const say = (msg: string) => console.log(`\x1b[1mairwave\x1b[0m  ${msg}`);

async function checkPorts(ports: { env: string; port: number }[]): Promise<void> {
  for (const { env, port } of ports) {
    if (!(await portIsFree(port))) {
      throw new Error(`port ${port} is already in use. Stop what is using it, or choose another: ${env}=<port> npm run up`);
    }
  }
}

/** The key from the last run if it still opens its project; otherwise a new project and key. */
async function localApiKey(databaseUrl: string, previous: string | undefined): Promise<string> {
  const db = createDb(databaseUrl, { max: 1 });
  try {
    if (previous && (await db.apiKey.findUnique({ where: { hash: sha256Hex(previous) } }))) return previous;
    const { apiKey } = await createProjectWithKey(db, 'Local project', 'npm run up');
    return apiKey;
  } finally {
    await db.$disconnect();
  }
}

/** The stream from the last run if it still exists; otherwise a new one, created through the API. */
async function localStream(apiUrl: string, apiKey: string, previousId: string | undefined) {
  const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  if (previousId) {
    const res = await fetch(`${apiUrl}/v1/live-streams/${previousId}`, { headers: auth });
    if (res.ok) return (await res.json()) as LocalStream;
  }
  const res = await fetch(`${apiUrl}/v1/live-streams`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'Local test stream', reconnectWindowSeconds: 10 }),
  });
  if (!res.ok) throw new Error(`could not create the test stream: ${res.status} ${await res.text()}`);
  return (await res.json()) as LocalStream;
}

interface LocalStream {
  id: string;
  streamKey: string;
  rtmpUrl: string;
  ingestUrl: string;
  rtmpsUrl: string;
  srtUrl: string | null;
  whipUrl: string | null;
  playback: { hlsUrl: string; whepUrl: string; playerUrl: string };
}

async function main(): Promise<void> {
  ensureStateDir();
  const apiPort = Number(process.env.API_PORT ?? 3000);
  const rtmpPort = Number(process.env.INGEST_RTMP_PORT ?? 1935);
  const rtmpsPort = Number(process.env.INGEST_RTMPS_PORT ?? 1936);
  const s3Port = Number(process.env.LOCAL_S3_PORT ?? 9000);
  const apiInternalPort = Number(process.env.API_INTERNAL_PORT ?? apiPort + 1);
  const edgePort = Number(process.env.EDGE_PORT ?? 3010);
  const whipPort = Number(process.env.INGEST_WHIP_PORT ?? 8889);
  const workerProcesses = Number(process.env.WORKER_PROCESSES ?? 2);
  if (!Number.isInteger(workerProcesses) || workerProcesses < 1 || workerProcesses > 64)
    throw new Error('WORKER_PROCESSES must be a whole number from 1 to 64');
  await checkPorts([
    { env: 'API_PORT', port: apiPort },
    { env: 'API_INTERNAL_PORT', port: apiInternalPort },
    { env: 'INGEST_RTMP_PORT', port: rtmpPort },
    { env: 'INGEST_RTMPS_PORT', port: rtmpsPort },
    { env: 'EDGE_PORT', port: edgePort },
    { env: 'INGEST_WHIP_PORT', port: whipPort },
    ...(process.env.STORAGE_ENDPOINT ? [] : [{ env: 'LOCAL_S3_PORT', port: s3Port }]),
  ]);

  let postgres: PostgresChoice | undefined;
  let redis: RedisChoice | undefined;
  let s3: LocalS3 | undefined;
  const colours: Record<string, string> = { api: '\x1b[36m', ingest: '\x1b[33m' };
  const supervisor = new Supervisor({
    say,
    stateFile: path.join(stateDir, 'supervisor.json'),
    onLine: (name, line) => process.stdout.write(`${colours[name] ?? '\x1b[35m'}${name.padEnd(8)}\x1b[0m│ ${line}\n`),
  });
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await supervisor.stop();
    await s3?.close();
    await redis?.stop();
    await postgres?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  postgres = await resolvePostgres();
  say(`postgres: ${postgres.source}`);
  redis = await resolveRedis();
  say(`redis:    ${redis.source}`);

  let storageEnv: Record<string, string> = {};
  if (process.env.STORAGE_ENDPOINT) {
    say(`storage:  ${process.env.STORAGE_ENDPOINT} (STORAGE_ENDPOINT)`);
  } else {
    const bucket = process.env.STORAGE_BUCKET ?? 'airwave';
    s3 = await startLocalS3({ directory: path.join(stateDir, 's3'), bucket, port: s3Port, host: '127.0.0.1' });
    storageEnv = { STORAGE_ENDPOINT: s3.endpoint, STORAGE_BUCKET: bucket, STORAGE_ACCESS_KEY_ID: 'S3RVER', STORAGE_SECRET_ACCESS_KEY: 'S3RVER' };
    say(`storage:  embedded S3 (s3rver) on ${s3.endpoint}, bucket '${bucket}' (data in .airwave/s3); players fetch it through the API's playback edge at /cdn`);
  }

  const applied = await deployMigrations(postgres.url);
  say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');

  const previous = readEnvFile(localEnvPath);
  const apiKey = await localApiKey(postgres.url, previous.AIRWAVE_API_KEY);
  const apiUrl = process.env.API_PUBLIC_URL ?? `http://localhost:${apiPort}`;

  const tls = process.env.INGEST_TLS_CERT_FILE
    ? { certFile: process.env.INGEST_TLS_CERT_FILE, keyFile: process.env.INGEST_TLS_KEY_FILE ?? '' }
    : await ensureSelfSignedCert(path.join(stateDir, 'tls'));
  // Everything the stack is configured with; each app is given only its own part (envFor).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...localSecrets(),
    ...storageEnv,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    API_PORT: String(apiPort),
    API_PUBLIC_URL: apiUrl,
    // The internal endpoints (ingest hooks) on a listener of their own, as in production.
    API_INTERNAL_PORT: String(apiInternalPort),
    API_INTERNAL_URL: `http://127.0.0.1:${apiInternalPort}`,
    SUPERVISOR_STATE_FILE: path.join(stateDir, 'supervisor.json'),
    INGEST_RTMP_PORT: String(rtmpPort),
    INGEST_RTMPS_PORT: String(rtmpsPort),
    // Ctrl-C stops a local stack at once; deployments drain (INGEST_DRAIN_SECONDS, default 30).
    INGEST_DRAIN_SECONDS: process.env.INGEST_DRAIN_SECONDS ?? '0',
    INGEST_TLS_CERT_FILE: tls.certFile,
    INGEST_TLS_KEY_FILE: tls.keyFile,
    INGEST_WHIP_PORT: String(whipPort),
    // The WebRTC edge (WHEP) on this machine; browsers here reach its host candidates directly.
    EDGE_PORT: String(edgePort),
    EDGE_HOST: process.env.EDGE_HOST ?? '127.0.0.1',
    EDGE_PUBLIC_URL: process.env.EDGE_PUBLIC_URL ?? `http://localhost:${edgePort}`,
    // A local stack lets webhooks and relays point at localhost (DESIGN.md §6).
    ALLOW_PRIVATE_TARGETS: process.env.ALLOW_PRIVATE_TARGETS ?? 'true',
    // One readable line per event while developing; LOG_FORMAT=json gives production's JSON lines.
    LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
    // Several workers share this machine: each serves /metrics on a free port, logged at start.
    METRICS_PORT: process.env.METRICS_PORT ?? '0',
  };
  // A process that dies is restarted; two workers, so a killed one's ladders move to the other at once.
  supervisor.start({ name: 'api', entry: 'apps/api/src/server.ts', env: envFor('api', env) });
  supervisor.start({ name: 'ingest', entry: 'apps/ingest/src/main.ts', env: envFor('ingest', env) });
  for (let i = 1; i <= workerProcesses; i++) {
    supervisor.start({ name: `worker-${i}`, entry: 'apps/worker/src/main.ts', env: envFor('worker', env) });
  }
  supervisor.start({ name: 'edge', entry: 'apps/edge/src/main.ts', env: envFor('edge', env) });
  say(
    `supervising api, ingest, edge and ${workerProcesses} worker process${workerProcesses > 1 ? 'es' : ''} (WORKER_PROCESSES); a process that exits is restarted`,
  );

  // "Running" means an encoder can publish now: the API is ready and the ingest listens.
  for (let i = 0; i < 200 && !stopping; i++) {
    const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready && (await tcpAnswers('127.0.0.1', rtmpPort))) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  if (stopping) return;
  const stream = await localStream(apiUrl, apiKey, previous.AIRWAVE_STREAM_ID);
  writeEnvFile(
    localEnvPath,
    {
      AIRWAVE_API_URL: apiUrl,
      AIRWAVE_API_KEY: apiKey,
      AIRWAVE_STREAM_ID: stream.id,
      AIRWAVE_RTMP_URL: stream.rtmpUrl,
      AIRWAVE_STREAM_KEY: stream.streamKey,
      AIRWAVE_PLAYER_URL: stream.playback.playerUrl,
    },
    'Written by npm run up: source it in scripts (set -a; . .airwave/local.env)',
  );
  const publish =
    'ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \\\n' +
    '      -c:v libx264 -preset veryfast -tune zerolatency -g 30 -pix_fmt yuv420p -c:a aac -b:a 128k \\\n' +
    `      -f flv ${stream.ingestUrl}`;
  console.log(`
\x1b[1mAirwave is running.\x1b[0m  Ctrl-C stops everything.

  API          ${apiUrl}
  API key      ${apiKey}
  Swagger UI   ${apiUrl}/docs
  Console      ${apiUrl}/console   (sign in with the API key)

  Test stream  ${stream.id}
  RTMP URL     ${stream.rtmpUrl}
  RTMPS URL    ${stream.rtmpsUrl}   (self-signed certificate in .airwave/tls)
  SRT URL      ${stream.srtUrl ?? 'off (no libsrt)'}
  WHIP URL     ${stream.whipUrl ?? 'off'}   (WebRTC publishing: Bearer <stream key>)
  Stream key   ${stream.streamKey}
  HLS          ${stream.playback.hlsUrl}
  WHEP         ${stream.playback.whepUrl}
  Player       ${stream.playback.playerUrl}
  Real-time    ${stream.playback.playerUrl}?mode=realtime   (WebRTC, under a second behind)

  Publish a test signal (or point OBS at the RTMP URL + stream key):
    ${publish}

  Saved to .airwave/local.env (AIRWAVE_API_URL, AIRWAVE_API_KEY, AIRWAVE_RTMP_URL, AIRWAVE_STREAM_KEY, AIRWAVE_PLAYER_URL)

  Create more streams:
    curl -s -X POST ${apiUrl}/v1/live-streams \\
      -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" \\
      -d '{"name":"My first stream"}'
`);
}

main().catch((err: Error) => {
  console.error(`\x1b[31mairwave: ${err.message}\x1b[0m`);
  process.exit(1);
});
