// npm run tls:cert — the self-signed ingest certificate in .airwave/tls/ (npm run up makes it too);
// docker-compose.yml mounts it into the ingest nodes for RTMPS.
import path from 'node:path';
import { ensureStateDir, stateDir } from './up/paths.js';
import { ensureSelfSignedCert } from './up/tls.js';

ensureStateDir();
const hosts = ['localhost', '127.0.0.1', ...process.argv.slice(2)];
const files = await ensureSelfSignedCert(path.join(stateDir, 'tls'), hosts);
console.log(`certificate: ${files.certFile}\nkey:         ${files.keyFile}`);
