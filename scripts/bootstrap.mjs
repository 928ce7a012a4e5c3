// First step of `npm run up` and `npm test`, in plain Node so it runs before anything is installed:
// checks Node, installs dependencies when the lock file changed, generates the Prisma client.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Airwave needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

function run(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

const installed = `${root}node_modules/.package-lock.json`;
const stale = !existsSync(installed) || statSync(`${root}package-lock.json`).mtimeMs > statSync(installed).mtimeMs;
if (stale) {
  console.log('installing dependencies (npm install)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
}
run(process.execPath, [`${root}scripts/prisma-generate.mjs`]);
