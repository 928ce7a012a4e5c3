// Prisma's schema engine, run from its npm WebAssembly build. The CLI's native engine is downloaded
// from a host our machines cannot reach; the wasm build is the same engine and talks to Postgres
// through the `pg` driver adapter. Node 20 cannot `import` a .wasm file without a flag, so the module
// is instantiated by hand with the bindings file as its import object.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { parseDatabaseUrl } from '../connection.js';

let loaded: Promise<typeof bindings> | undefined;

// @types/node for Node 20 does not declare the WebAssembly global; this is the part we use.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
let charPatched = false;

/**
 * The engine reads pg_catalog columns of Postgres' one-byte `"char"` type, which the pg driver
 * adapter cannot map (prisma/orm#27403) and so rejects. Its values arrive as strings anyway, so in
 * this process (migrations only, never the API) they are reported as text.
 */
function reportCharColumnsAsText(): void {
  if (charPatched) return;
  charPatched = true;
  const proto = (pg as unknown as { Result: { prototype: { addFields(f: { dataTypeID: number }[]): void } } }).Result.prototype;
  const addFields = proto.addFields;
  proto.addFields = function (fields) {
    for (const f of fields) if (f.dataTypeID === PG_CHAR_OID) f.dataTypeID = PG_TEXT_OID;
    addFields.call(this, fields);
  };
}

function loadBindings(): Promise<typeof bindings> {
  loaded ??= (async () => {
    // The package exports only its JS; the .wasm sits next to the bindings file.
    const bindingsPath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = bindingsPath.replace(/\.js$/, '.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': bindings,
    });
    const b = bindings as typeof bindings & { __wbg_set_wasm(w: unknown): void };
    b.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return loaded;
}

export interface EngineSchema {
  path: string;
  content: string;
}

/** Opens an engine against `databaseUrl` (and its `?schema=`), runs `fn`, and frees it. */
export async function withSchemaEngine<T>(databaseUrl: string, schema: EngineSchema, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const b = await loadBindings();
  reportCharColumnsAsText();
  const target = parseDatabaseUrl(databaseUrl);
  // One connection: the engine takes a session-level advisory lock (pg_advisory_lock) around its
  // work, and over a larger pool the unlock can land on another connection, leaving the lock held
  // and every other migration in this database waiting.
  const pool = new pg.Pool({ ...target.pool, max: 1 });
  pool.on('error', () => {});
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool, { schema: target.schema }));
  const log = (line: string) => {
    if (process.env.AIRWAVE_DEBUG_MIGRATIONS) process.stderr.write(`${line}\n`);
  };
  const engine = await b.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, log, adapter);
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}
