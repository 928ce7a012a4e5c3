// Generates the Prisma client into packages/db/src/generated when schema.prisma changed.
// `prisma generate` never runs the schema engine, but the CLI insists on finding its binary, which
// it would download from a host our machines cannot reach: any existing file satisfies it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const schema = readFileSync(`${root}prisma/schema.prisma`);
const version = JSON.parse(readFileSync(`${root}node_modules/prisma/package.json`, 'utf8')).version;
const hash = createHash('sha256').update(schema).update(version).digest('hex');
const stamp = `${root}packages/db/src/generated/.schema-hash`;

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && !process.argv.includes('--force')) process.exit(0);

const res = spawnSync(process.execPath, [`${root}node_modules/prisma/build/index.js`, 'generate'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
if (res.status !== 0) {
  console.error('prisma generate failed');
  process.exit(res.status ?? 1);
}
writeFileSync(stamp, hash);
console.log(`generated the Prisma client (prisma ${version})`);
