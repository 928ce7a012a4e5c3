// docker-compose.yml, the Dockerfile and the CDN config cannot be run here (no Docker engine), so
// they are checked for what would break them: every Airwave service's environment is a valid config
// for its app, build targets exist, images run as non-root with ffmpeg where media is handled, ports
// line up, and the CDN asks an API route that exists.
import { readFileSync } from 'node:fs';
import { envSchema, loadConfig } from '@airwave/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  ports?: string[];
  command?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const dockerfile = readFileSync('Dockerfile', 'utf8');
const cdnConf = readFileSync('infra/cdn/default.conf.template', 'utf8');
const services = compose.services;
const apps = Object.entries(services).filter(([, s]) => s.build);

/** `${VAR:-default}` → default (what `docker compose up` uses with no .env). */
const interpolate = (v: string) => String(v).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

/** The stages a Dockerfile defines, with their lines. */
function stages(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (m) {
      current = [line];
      if (m[2]) out.set(m[2], current);
      continue;
    }
    current.push(line);
  }
  return out;
}

describe('docker-compose.yml', () => {
  it('has the whole stack: postgres, redis, MinIO with its bucket, the CDN, api, two ingest nodes, two workers', () => {
    for (const name of ['postgres', 'redis', 'minio', 'minio-setup', 'cdn', 'api', 'ingest-1', 'ingest-2', 'worker-1', 'worker-2']) expect(services, name).toHaveProperty(name);
    expect(services['minio-setup']!.depends_on).toMatchObject({ minio: { condition: 'service_healthy' } });
    expect(JSON.stringify(services['minio-setup'])).toContain('mc mb -p local/airwave');
  });

  it('gives every Airwave service an environment its app accepts in production', () => {
    const known = new Set(Object.keys(envSchema.properties));
    expect(apps.length).toBeGreaterThanOrEqual(6);
    for (const [name, svc] of apps) {
      const env = Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      for (const key of Object.keys(env)) expect(known.has(key), `${name}: ${key} is not a variable Airwave reads`).toBe(true);
      expect(env.NODE_ENV, name).toBe('production');
      // Production refuses to start without its secrets; a missing one would show here.
      const config = loadConfig(env);
      expect(config.storage.endpoint, name).toBe('http://minio:9000');
      expect(config.cdnBaseUrl, name).toBe('http://localhost:8080');
    }
  });

  it('publishes each ingest node on the ports it listens on, and lets workers pull it by name', () => {
    for (const name of ['ingest-1', 'ingest-2']) {
      const svc = services[name]!;
      const config = loadConfig(Object.fromEntries(Object.entries(svc.environment!).map(([k, v]) => [k, interpolate(v)])));
      const ports = svc.ports ?? [];
      expect(ports).toContain(`${config.ingest.rtmpPort}:${config.ingest.rtmpPort}`);
      expect(ports).toContain(`${config.ingest.rtmpsPort}:${config.ingest.rtmpsPort}`);
      expect(ports).toContain(`${config.ingest.srt.port}:${config.ingest.srt.port}/udp`);
      expect(config.ingest.internalUrl).toBe(`rtmp://${name}:${config.ingest.rtmpPort}/live`);
      expect(config.ingest.tls).toBeDefined();
    }
  });

  it('builds every app from a Dockerfile target that runs as non-root, with ffmpeg where media is handled', () => {
    const all = stages(dockerfile);
    for (const [name, svc] of apps) {
      const target = svc.build!.target;
      expect(all.has(target), `${name}: no Dockerfile stage '${target}'`).toBe(true);
    }
    const media = all.get('media')!.join('\n');
    expect(media).toMatch(/apt-get install[^\n]*ffmpeg/);
    expect(media).toMatch(/^USER node$/m);
    expect(all.get('api')!.join('\n')).toMatch(/^USER node$/m);
    for (const t of ['ingest', 'worker']) expect(all.get(t)![0]).toMatch(/FROM media AS/);
    for (const t of ['api', 'ingest', 'worker']) expect(all.get(t)!.join('\n')).toMatch(new RegExp(`CMD \\[.*apps/${t}/src/(server|main)\\.ts`));
  });

  it('puts the CDN in front of MinIO with the playback edge deciding every request', () => {
    expect(cdnConf).toContain('auth_request /_auth;');
    // The decision comes from the API's internal listener, the one the ingest nodes use.
    const api = loadConfig(Object.fromEntries(Object.entries(services.api!.environment!).map(([k, v]) => [k, interpolate(v)])));
    expect(cdnConf).toContain(`upstream api_internal { server api:${api.api.internalListener!.port}; keepalive 32; }`);
    expect(cdnConf).toContain('proxy_pass http://api_internal/internal/playback/authorize;');
    expect(api.api.internalUrl).toBe(`http://api:${api.api.internalListener!.port}`);
    expect(services.api!.ports).not.toContain(`${api.api.internalListener!.port}:${api.api.internalListener!.port}`);
    expect(cdnConf).toContain('proxy_set_header X-Original-URI $request_uri;');
    const block = (start: string) => cdnConf.slice(cdnConf.indexOf(start)).split(/\n  location /)[0]!;
    expect(block('location ~ \\.m3u8$ {')).toContain('proxy_cache_valid 200 1s;');
    expect(block('location ~ \\.m3u8$ {')).toContain('if ($arg_token) { rewrite ^/(.*)$ /_edge/$1 last; }');
    expect(block('location / {')).toContain('proxy_cache_valid 200 365d;');
    expect(cdnConf).toContain('proxy_pass http://api/cdn/;');
    // Only the two variables the template uses are substituted (nginx's own $vars stay).
    expect(services.cdn!.environment).toMatchObject({ NGINX_ENVSUBST_FILTER: '^(INTERNAL_TOKEN|STORAGE_BUCKET)$$' });
    const vars = new Set([...cdnConf.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]));
    expect([...vars].sort()).toEqual(['INTERNAL_TOKEN', 'STORAGE_BUCKET']);
  });
});
