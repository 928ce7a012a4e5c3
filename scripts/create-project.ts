// npm run project:create -- "<name>" — a new project (tenant) and its first API key, printed once.
// For deployments without `npm run up` (docker compose, Kubernetes: run it in an api container).
import { loadConfigOrExit } from '@airwave/config';
import { createProjectWithKey } from '@airwave/core';
import { createDb } from '@airwave/db';

const name = process.argv[2]?.trim();
if (!name) {
  console.error('usage: npm run project:create -- "<project name>"');
  process.exit(2);
}
const config = loadConfigOrExit();
const db = createDb(config.databaseUrl, { max: 1 });
const { project, apiKey } = await createProjectWithKey(db, name);
console.log(`project ${project.id} (${name})\nAPI key  ${apiKey}   (shown once; only its hash is stored)`);
await db.$disconnect();
