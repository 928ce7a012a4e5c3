// npm run openapi: regenerates openapi/openapi.json (a test fails when the committed one is stale).
import { writeFile } from 'node:fs/promises';
import { renderOpenapi } from './openapi.js';

const target = new URL('../../../openapi/openapi.json', import.meta.url);
await writeFile(target, await renderOpenapi());
console.log(`wrote ${target.pathname}`);
