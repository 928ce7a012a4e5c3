// One API process per core behind one port (node:cluster shares the listening socket), for
// `npm run bench:api`'s per-core figures. In production the same comes from running more API
// replicas behind the load balancer (docs/scaling.md).
import cluster from 'node:cluster';
import os from 'node:os';

const processes = Number(process.env.API_PROCESSES ?? os.availableParallelism());
if (cluster.isPrimary) {
  for (let i = 0; i < processes; i++) cluster.fork();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill(signal);
      void Promise.all(Object.values(cluster.workers ?? {}).map((w) => new Promise((r) => w?.once('exit', r)))).then(() => process.exit(0));
    });
  }
} else {
  await import('../../apps/api/src/server.js');
}
