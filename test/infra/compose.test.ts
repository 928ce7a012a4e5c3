// docker-compose.yml, the Dockerfile and the CDN config cannot be run here (no Docker engine), so
// they are checked for what would break them: every Airwave service's environment is a valid config
// for its app, build targets exist, images run as non-root with ffmpeg where media is handled, ports
// line up, and the CDN asks an API route that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { APP_ENV, loadConfig, type AppName } from '@airwave/config';
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
const env = (svc: Service) => Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));

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
  it('has the whole stack: postgres, redis, SeaweedFS creating its bucket, the CDN, api, two ingest nodes, two workers', () => {
    for (const name of ['postgres', 'redis', 'seaweedfs', 'cdn', 'api', 'ingest-1', 'ingest-2', 'worker-1', 'worker-2', 'edge-1', 'coturn'])
      expect(services, name).toHaveProperty(name);
    const s3 = services.seaweedfs!;
    expect(s3.command?.[0]).toBe('mini');
    const api = env(services.api!);
    // The store creates the bucket the apps use, with the key they hold.
    expect(s3.environment).toMatchObject({ S3_BUCKET: api.STORAGE_BUCKET });
    expect(interpolate(s3.environment!.AWS_ACCESS_KEY_ID!)).toBe(api.STORAGE_ACCESS_KEY_ID);
    expect(interpolate(s3.environment!.AWS_SECRET_ACCESS_KEY!)).toBe(api.STORAGE_SECRET_ACCESS_KEY);
    expect(services.api!.depends_on).toMatchObject({ seaweedfs: { condition: 'service_healthy' } });
  });

  it('pins every image to a version, and none is MinIO (archived; Docker Hub no longer serves it)', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!svc.image) continue;
      expect(svc.image, name).not.toMatch(/minio/i);
      // name:tag where the tag names a version (a digit), never latest or a bare major.
      expect(svc.image, name).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+[\w.-]*$/);
    }
    expect(dockerfile).not.toMatch(/minio/i);
  });

  it('gives every Airwave service only the variables its app reads, and they start it in production', () => {
    expect(apps.length).toBeGreaterThanOrEqual(6);
    for (const [name, svc] of apps) {
      const e = env(svc);
      const app: AppName = name === 'migrate' ? 'api' : (name.replace(/-\d+$/, '') as AppName);
      for (const key of Object.keys(e)) expect(APP_ENV[app], `${name}: ${key} is not a variable its app reads`).toContain(key);
      expect(e.NODE_ENV, name).toBe('production');
      if (name === 'migrate') continue; // the migration runner needs the database alone
      // Production refuses to start without its secrets; a missing one would show here.
      const config = loadConfig(e, app);
      if (app === 'ingest' || app === 'edge') continue;
      expect(config.storage.endpoint, name).toBe('http://seaweedfs:8333');
      expect(config.cdnBaseUrl, name).toBe('http://localhost:8080');
    }
    for (const name of ['ingest-1', 'ingest-2', 'edge-1']) {
      for (const key of [
        'DATABASE_URL',
        'STORAGE_ACCESS_KEY_ID',
        'STORAGE_SECRET_ACCESS_KEY',
        'STREAM_KEY_ENCRYPTION_KEY',
        'SECRETS_ENCRYPTION_KEY',
        'PLAYBACK_SIGNING_KEY',
      ]) {
        expect(env(services[name]!), `${name}: ${key}`).not.toHaveProperty(key);
      }
    }
    for (const name of ['worker-1', 'worker-2']) expect(env(services[name]!)).not.toHaveProperty('STREAM_KEY_ENCRYPTION_KEY');
  });

  it('runs a WebRTC edge and coturn, each WebRTC process publishing its own UDP range 1:1 and advertising TURN', () => {
    const edge = loadConfig(env(services['edge-1']!), 'edge');
    expect(services['edge-1']!.ports).toEqual([
      `${edge.edge.port}:${edge.edge.port}`,
      `${edge.webrtc.portRange![0]}-${edge.webrtc.portRange![1]}:${edge.webrtc.portRange![0]}-${edge.webrtc.portRange![1]}/udp`,
    ]);
    expect(edge.webrtc.iceServers).toContain('turn:');
    expect(services.coturn!.ports).toContain('3478:3478/udp');
    const ranges = ['ingest-1', 'ingest-2', 'edge-1'].map((n) => loadConfig(env(services[n]!), n.replace(/-\d+$/, '') as AppName).webrtc.portRange!);
    // No two processes share a UDP port.
    for (const [i, a] of ranges.entries()) for (const b of ranges.slice(i + 1)) expect(a[1] < b[0] || b[1] < a[0]).toBe(true);
    for (const name of ['ingest-1', 'ingest-2']) {
      const config = loadConfig(env(services[name]!), 'ingest');
      expect(services[name]!.ports).toContain(`${config.ingest.whip.port}:${config.ingest.whip.port}`);
    }
  });

  it('publishes each ingest node on the ports it listens on, and lets workers pull it by name', () => {
    for (const name of ['ingest-1', 'ingest-2']) {
      const svc = services[name]!;
      const config = loadConfig(env(svc), 'ingest');
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
    // Node.js 24 LTS everywhere; every workspace's manifest reaches `npm ci` (a missing one breaks the build).
    for (const [name, lines] of all) if (/^FROM node:/.test(lines[0]!)) expect(lines[0], name).toMatch(/^FROM node:24[.\d]*-bookworm-slim/);
    for (const dir of readdirSync('apps')
      .map((d) => `apps/${d}`)
      .concat(readdirSync('packages').map((d) => `packages/${d}`))) {
      if (existsSync(`${dir}/package.json`)) expect(dockerfile, dir).toContain(`COPY ${dir}/package.json ${dir}/`);
    }
    const media = all.get('media')!.join('\n');
    expect(media).toMatch(/apt-get install[^\n]*ffmpeg/);
    expect(media).toMatch(/^USER node$/m);
    expect(all.get('api')!.join('\n')).toMatch(/^USER node$/m);
    for (const t of ['ingest', 'worker', 'edge']) expect(all.get(t)![0]).toMatch(/FROM media AS/);
    for (const t of ['api', 'ingest', 'worker', 'edge']) expect(all.get(t)!.join('\n')).toMatch(new RegExp(`CMD \\[.*apps/${t}/src/(server|main)\\.ts`));
  });

  it('puts the CDN in front of the playback edge, which decides every request and alone holds the storage key', () => {
    expect(cdnConf).toContain('auth_request /_auth;');
    // The decision comes from the API's internal listener, the one the ingest nodes use.
    const api = loadConfig(env(services.api!), 'api');
    expect(cdnConf).toContain(`upstream api_internal { server api:${api.api.internalListener!.port}; keepalive 32; }`);
    expect(cdnConf).toContain('proxy_pass http://api_internal/internal/playback/authorize;');
    expect(api.api.internalUrl).toBe(`http://api:${api.api.internalListener!.port}`);
    expect(services.api!.ports).not.toContain(`${api.api.internalListener!.port}:${api.api.internalListener!.port}`);
    expect(cdnConf).toContain('proxy_set_header X-Original-URI $request_uri;');
    const block = (start: string) => cdnConf.slice(cdnConf.indexOf(start)).split(/\n {2}location /)[0]!;
    expect(block('location ~ \\.m3u8$ {')).toContain('proxy_cache_valid 200 1s;');
    expect(block('location ~ \\.m3u8$ {')).toContain('if ($arg_token) { rewrite ^/(.*)$ /_edge/$1 last; }');
    expect(block('location / {')).toContain('proxy_cache_valid 200 365d;');
    expect(cdnConf).toContain('proxy_pass http://api/cdn/;');
    expect(block('location / {')).toContain('proxy_pass http://api/cdn$uri$is_args$args;');
    expect(JSON.stringify(services.cdn)).not.toMatch(/STORAGE_|S3_/);
    // Only the variable the template uses is substituted (nginx's own $vars stay).
    expect(services.cdn!.environment).toMatchObject({ NGINX_ENVSUBST_FILTER: '^(INTERNAL_TOKEN)$$' });
    const vars = new Set([...cdnConf.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]));
    expect([...vars].sort()).toEqual(['INTERNAL_TOKEN']);
  });
});
