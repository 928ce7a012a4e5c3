// npm run openapi: regenerates openapi/openapi.json and the SDK's types from it (tests fail when
// either committed file is stale).
import { writeFile } from 'node:fs/promises';
import { renderSdkSchema } from '../../../packages/sdk/scripts/generate.js';
import { renderOpenapi } from './openapi.js';

const target = new URL('../../../openapi/openapi.json', import.meta.url);
const spec = await renderOpenapi();
await writeFile(target, spec);
console.log(`wrote ${target.pathname}`);
const sdk = new URL('../../../packages/sdk/src/schema.ts', import.meta.url);
await writeFile(sdk, await renderSdkSchema(spec));
console.log(`wrote ${sdk.pathname}`);
