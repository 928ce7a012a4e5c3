import { readFile } from 'node:fs/promises';
import type { Db } from '@airwave/db';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import { Type } from 'typebox';
import { dependencyChecks } from '../../lib/dependency-checks.js';

const tags = ['operations'];
const Check = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]), checks: Type.Record(Type.String(), Type.String()) });

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
    {
      schema: {
        tags,
        operationId: 'getHealth',
        summary: 'Liveness',
        description: 'Answers 200 as long as the process runs; it checks no dependency (use /readyz for that). For liveness probes.',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
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
      const checks: Record<string, string> = await dependencyChecks(db, redis);
      if (supervisorStateFile) checks.processes = await supervisedProcesses(supervisorStateFile);
      const ok = Object.values(checks).every((c) => c === 'ok');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
};
