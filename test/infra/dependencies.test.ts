// What each process may load: the internet-facing ingest and the WebRTC edge never load the
// database client, storage credentials' SDK or the domain core — only the pure helpers of
// @airwave/common — so a compromise of either reaches no database code (docs/security.md).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const workspaces = new Map<string, { dir: string; deps: string[] }>();
for (const group of ['apps', 'packages']) {
  for (const name of readdirSync(path.join(root, group))) {
    const dir = path.join(root, group, name);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
    workspaces.set(pkg.name, { dir, deps: Object.keys(pkg.dependencies ?? {}) });
  }
}

/** Every package a workspace depends on, through the other workspaces. */
function closure(name: string, seen = new Set<string>()): Set<string> {
  for (const dep of workspaces.get(name)?.deps ?? []) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    closure(dep, seen);
  }
  return seen;
}

/** The workspace packages a source tree imports. */
function imported(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const [, spec] of readFileSync(p, 'utf8').matchAll(/from '(@airwave\/[a-z-]+)/g)) out.add(spec!);
    }
  };
  walk(path.join(dir, 'src'));
  return out;
}

describe('least privilege in code', () => {
  for (const app of ['@airwave/ingest', '@airwave/edge']) {
    it(`${app} neither depends on nor imports the database, storage or the domain core`, () => {
      const deps = closure(app);
      for (const forbidden of ['@airwave/db', '@airwave/core', '@airwave/storage', '@prisma/client', '@aws-sdk/client-s3']) {
        expect([...deps], `${app} reaches ${forbidden}`).not.toContain(forbidden);
      }
      expect([...imported(workspaces.get(app)!.dir)].sort()).not.toContain('@airwave/core');
      expect(deps).toContain('@airwave/common');
    });
  }

  it('@airwave/common is pure: no dependencies at all', () => {
    expect(workspaces.get('@airwave/common')!.deps).toEqual([]);
  });

  it('every workspace declares the workspace packages its sources import', () => {
    for (const [name, { dir, deps }] of workspaces) {
      for (const spec of imported(dir)) if (spec !== name) expect(deps, `${name} imports ${spec}`).toContain(spec);
    }
  });
});
