// npm run up: one command from a fresh clone to a running local Airwave.
import { createProjectWithKey, sha256Hex } from '@airwave/core';
import { createDb } from '@airwave/db';
import { deployMigrations } from '@airwave/db/migrations';
import { startApp, stopApps, type AppProcess } from './apps.js';
import { portIsFree } from './net.js';
import { ensureStateDir, localEnvPath, localSecrets, readEnvFile, writeEnvFile } from './paths.js';
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

async function main(): Promise<void> {
  ensureStateDir();
  const apiPort = Number(process.env.API_PORT ?? 3000);
  await checkPorts([{ env: 'API_PORT', port: apiPort }]);

  let postgres: PostgresChoice | undefined;
  let redis: RedisChoice | undefined;
  const apps: AppProcess[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await stopApps(apps);
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

  const applied = await deployMigrations(postgres.url);
  say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');

  const previous = readEnvFile(localEnvPath);
  const apiKey = await localApiKey(postgres.url, previous.AIRWAVE_API_KEY);
  const apiUrl = process.env.API_PUBLIC_URL ?? `http://localhost:${apiPort}`;
  writeEnvFile(localEnvPath, { AIRWAVE_API_URL: apiUrl, AIRWAVE_API_KEY: apiKey }, 'Written by npm run up: source it in scripts (set -a; . .airwave/local.env)');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...localSecrets(),
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    API_PORT: String(apiPort),
    API_PUBLIC_URL: apiUrl,
    // A local stack lets webhooks and relays point at localhost (DESIGN.md §6).
    ALLOW_PRIVATE_TARGETS: process.env.ALLOW_PRIVATE_TARGETS ?? 'true',
  };
  apps.push(startApp('api', 'apps/api/src/server.ts', env), startApp('worker', 'apps/worker/src/main.ts', env));
  for (const app of apps) {
    void app.exited.then((code) => {
      if (!stopping) {
        say(`${app.name} exited with code ${code}; stopping the stack`);
        void shutdown(1);
      }
    });
  }

  for (let i = 0; i < 200 && !stopping; i++) {
    const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  if (stopping) return;
  console.log(`
\x1b[1mAirwave is running.\x1b[0m  Ctrl-C stops everything.

  API          ${apiUrl}
  API key      ${apiKey}
  Swagger UI   ${apiUrl}/docs
  Saved to     .airwave/local.env

  Try it:
    curl -s -X POST ${apiUrl}/v1/live-streams \\
      -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" \\
      -d '{"name":"My first stream"}'
`);
}

main().catch((err: Error) => {
  console.error(`\x1b[31mairwave: ${err.message}\x1b[0m`);
  process.exit(1);
});
