import { readFile } from 'node:fs/promises';
import type { Db } from '@airwave/db';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import { Type } from 'typebox';

const tags = ['operations'];
const Check = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]), checks: Type.Record(Type.String(), Type.String()) });

/** Resolves to 'ok' or the reason, within a bound so a hung dependency cannot hang the probe. */
async function probe(fn: () => Promise<unknown>, timeoutMs = 1500): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)))]);
    return 'ok';
  } catch (err) {
    return (err as Error).message.split('\n')[0] || 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/** On a supervised single box (npm run up): the processes the supervisor gave up on, or 'ok'. */
async function supervisedProcesses(stateFile: string): Promise<string> {
  const state = await readFile(stateFile, 'utf8').then(
    (t) => JSON.parse(t) as { down?: Record<string, string> },
    () => undefined,
  );
  const down = Object.entries(state?.down ?? {});
  return down.length ? down.map(([name, why]) => `${name} ${why}`).join('; ') : 'ok';
}

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db; redis: Redis; supervisorStateFile?: string }> = async (
  app,
  { db, redis, supervisorStateFile },
) => {
  app.get(
    '/healthz',
    { schema: { tags, operationId: 'getHealth', summary: 'Liveness', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags,
        operationId: 'getReadiness',
        summary: 'Readiness: Postgres and Redis answer',
        description: '503 names the dependency that failed (and, under `npm run up`, any Airwave process its supervisor left down).',
        security: [],
        response: { 200: Check, 503: Check },
      },
    },
    async (_req, reply) => {
      const [postgres, redisCheck] = await Promise.all([probe(() => db.$queryRaw`SELECT 1`), probe(() => redis.ping())]);
      const checks: Record<string, string> = { postgres, redis: redisCheck };
      if (supervisorStateFile) checks.processes = await supervisedProcesses(supervisorStateFile);
      const ok = Object.values(checks).every((c) => c === 'ok');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
};
