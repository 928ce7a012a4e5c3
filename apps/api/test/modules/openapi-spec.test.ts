// The published spec is fit for generators and people: valid OpenAPI 3.1, and every operation has a
// description, its scope, an example body and an example answer for each status — each example valid
// against the schema it illustrates.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers.js';

let api: TestApi;
let spec: any;
beforeAll(async () => {
  api = await startApi(import.meta.filename);
  spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(() => api?.close());

const operations = () =>
  Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

it('validates as OpenAPI 3.1', async () => {
  expect(spec.openapi).toBe('3.1.0');
  await expect(SwaggerParser.validate(structuredClone(spec))).resolves.toBeDefined();
});

it('describes every operation, with examples for the body and every answer', () => {
  for (const { path, method, op } of operations()) {
    const name = `${method.toUpperCase()} ${path}`;
    expect(op.description?.length, `${name}: description`).toBeGreaterThan(20);
    const body = op.requestBody?.content?.['application/json'];
    if (body) expect(body.example, `${name}: request example`).toBeDefined();
    for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
      const media = response.content?.['application/json'];
      if (media) expect(media.example, `${name} ${status}: example`).toBeDefined();
    }
    if (path.startsWith('/v1/')) {
      expect(op.security?.[0]?.apiKey, `${name}: scope`).toHaveLength(1);
      for (const status of ['400', '401', '403', '429', '503']) expect(op.responses[status], `${name}: ${status}`).toBeDefined();
    }
  }
});

it('has examples that match their schemas', async () => {
  const resolved = (await SwaggerParser.dereference(structuredClone(spec))) as any;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  formats.default(ajv);
  // Component ids were inlined by dereferencing: as nested $ids they would collide.
  const withoutIds = (s: unknown): unknown =>
    Array.isArray(s)
      ? s.map(withoutIds)
      : s && typeof s === 'object'
        ? Object.fromEntries(
            Object.entries(s)
              .filter(([k]) => k !== '$id')
              .map(([k, v]) => [k, withoutIds(v)]),
          )
        : s;
  const problems: string[] = [];
  const check = (where: string, media: any) => {
    if (!media?.schema || media.example === undefined) return;
    const validate = ajv.compile(withoutIds(media.schema) as object);
    if (!validate(media.example)) problems.push(`${where}: ${ajv.errorsText(validate.errors)}`);
  };
  for (const [path, ops] of Object.entries(resolved.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(ops)) {
      check(`${method} ${path} body`, op.requestBody?.content?.['application/json']);
      for (const [status, r] of Object.entries(op.responses as Record<string, any>)) check(`${method} ${path} ${status}`, r.content?.['application/json']);
    }
  }
  expect(problems).toEqual([]);
});
