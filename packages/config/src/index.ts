// One validated configuration object for every Airwave process. Read once at start; a bad value
// stops the process with a message that names the variable (DESIGN.md §6).
import { createHash } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import parseEnv from 'env-schema';

/** Every variable Airwave reads (DESIGN.md §6 and what issues added); deployment files are checked against it. */
export const envSchema = {
  type: 'object',
  properties: {
    NODE_ENV: { type: 'string', default: 'development' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    /** json: one JSON object per line (production); pretty: one readable, coloured line per event (`npm run up`). */
    LOG_FORMAT: { type: 'string', enum: ['json', 'pretty'], default: 'json' },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://', default: 'postgresql://postgres@127.0.0.1:5432/airwave' },
    REDIS_URL: { type: 'string', pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' },
    REDIS_PREFIX: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', default: 'airwave' },
    API_HOST: { type: 'string', default: '127.0.0.1' },
    API_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    API_PUBLIC_URL: { type: 'string', pattern: '^https?://' },
    API_INTERNAL_PORT: { type: 'integer', minimum: 1, maximum: 65535 },
    API_INTERNAL_HOST: { type: 'string' },
    INGEST_RTMP_PORT: { type: 'integer', minimum: 1, maximum: 65535, default: 1935 },
    INGEST_RTMPS_PORT: { type: 'integer', minimum: 1, maximum: 65535, default: 1936 },
    INGEST_TLS_CERT_FILE: { type: 'string' },
    INGEST_SRT_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8890 },
    INGEST_DRAIN_SECONDS: { type: 'integer', minimum: 0, maximum: 86_400, default: 30 },
    INGEST_SRT_PASSPHRASE: { type: 'string', minLength: 10, maxLength: 79 },
    INGEST_SRT_LATENCY_MS: { type: 'integer', minimum: 20, maximum: 8000, default: 200 },
    INGEST_TLS_KEY_FILE: { type: 'string' },
    INGEST_PUBLIC_HOST: { type: 'string', default: 'localhost' },
    INGEST_NODE_ID: { type: 'string' },
    INGEST_BIND: { type: 'string', default: '0.0.0.0' },
    INGEST_INTERNAL_URL: { type: 'string', pattern: '^rtmps?://' },
    API_INTERNAL_URL: { type: 'string', pattern: '^https?://' },
    TRANSCODE_DIR: { type: 'string' },
    LIVE_SEGMENT_RETENTION_SECONDS: { type: 'integer', minimum: 0, default: 120 },
    VIEWERS_FLUSH_SECONDS: { type: 'integer', minimum: 10, maximum: 3600, default: 60 },
    PULL_INGEST_URL: { type: 'string', pattern: '^rtmps?://' },
    INTERNAL_TOKEN: { type: 'string', minLength: 16 },
    STORAGE_ENDPOINT: { type: 'string' },
    STORAGE_REGION: { type: 'string', default: 'us-east-1' },
    STORAGE_BUCKET: { type: 'string', minLength: 3, default: 'airwave' },
    STORAGE_ACCESS_KEY_ID: { type: 'string', default: 'S3RVER' },
    STORAGE_SECRET_ACCESS_KEY: { type: 'string', default: 'S3RVER' },
    CDN_BASE_URL: { type: 'string', pattern: '^https?://' },
    FFMPEG_PATH: { type: 'string' },
    WORKER_CONCURRENCY: { type: 'integer', minimum: 1, maximum: 256, default: 4 },
    WORKER_STALE_SECONDS: { type: 'integer', minimum: 2, maximum: 600, default: 10 },
    PLAYBACK_SIGNING_KEY: { type: 'string', minLength: 32 },
    STREAM_KEY_ENCRYPTION_KEY: { type: 'string' },
    SECRETS_ENCRYPTION_KEY: { type: 'string' },
    SUPERVISOR_STATE_FILE: { type: 'string' },
    ALLOW_PRIVATE_TARGETS: { type: 'boolean', default: false },
    WEBHOOK_RETRY_BASE_MS: { type: 'integer', minimum: 1, default: 30_000 },
    WEBHOOK_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 10_000 },
    RATE_LIMIT_MAX: { type: 'integer', minimum: 1, default: 6_000 },
    RATE_LIMIT_WINDOW_MS: { type: 'integer', minimum: 1_000, default: 60_000 },
    INGEST_WHIP_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8889 },
    INGEST_WHIP_URL: { type: 'string', pattern: '^https?://' },
    EDGE_HOST: { type: 'string', default: '0.0.0.0' },
    EDGE_PORT: { type: 'integer', minimum: 1, maximum: 65535, default: 3010 },
    EDGE_PUBLIC_URL: { type: 'string', pattern: '^https?://' },
    EDGE_ID: { type: 'string' },
    WEBRTC_PUBLIC_IP: { type: 'string', pattern: '^[0-9.]+$' },
    WEBRTC_UDP_PORT_MIN: { type: 'integer', minimum: 1024, maximum: 65535 },
    WEBRTC_UDP_PORT_MAX: { type: 'integer', minimum: 1024, maximum: 65535 },
    WEBRTC_ICE_SERVERS: { type: 'string' },
    WEBRTC_MAX_VIEWERS: { type: 'integer', minimum: 1, maximum: 100_000, default: 500 },
    /** Prometheus /metrics of the worker and the ingest (the API serves its own on API_PORT). */
    METRICS_HOST: { type: 'string', default: '127.0.0.1' },
    /** Default: worker 9464, ingest 9465; 0 picks a free port (logged). */
    METRICS_PORT: { type: 'integer', minimum: 0, maximum: 65535 },
  },
} as const;

/** Where each process without an HTTP API of its own serves /metrics unless METRICS_PORT says. */
const METRICS_PORTS: Partial<Record<AppName, number>> = { worker: 9464, ingest: 9465 };

export type AppName = 'api' | 'ingest' | 'worker' | 'edge';
type EnvName = keyof typeof envSchema.properties;

/** What a stream's public URLs (in API answers and webhook payloads) are built from. */
const PRESENTATION: EnvName[] = [
  'API_PORT', 'API_PUBLIC_URL', 'CDN_BASE_URL', 'INGEST_PUBLIC_HOST', 'INGEST_RTMP_PORT', 'INGEST_RTMPS_PORT', 'INGEST_SRT_PORT', 'INGEST_SRT_PASSPHRASE',
  'INGEST_WHIP_PORT', 'INGEST_WHIP_URL',
];
/** How WebRTC peers reach a process (the edge's viewers, the ingest's WHIP publishers). */
const WEBRTC: EnvName[] = ['WEBRTC_PUBLIC_IP', 'WEBRTC_UDP_PORT_MIN', 'WEBRTC_UDP_PORT_MAX', 'WEBRTC_ICE_SERVERS'];

/**
 * The variables each app reads: least privilege. The ingest faces the internet and gets no database
 * URL, no storage credentials and no encryption key; only the API can read stream keys. Deployment
 * files (npm run up, docker-compose.yml, infra/k8s) give each process exactly these, and tests check it.
 */
export const APP_ENV: Record<AppName, readonly EnvName[]> = {
  ingest: [
    'NODE_ENV', 'LOG_LEVEL', 'LOG_FORMAT', 'REDIS_URL', 'REDIS_PREFIX', 'API_INTERNAL_URL', 'INTERNAL_TOKEN', 'FFMPEG_PATH',
    'INGEST_RTMP_PORT', 'INGEST_RTMPS_PORT', 'INGEST_TLS_CERT_FILE', 'INGEST_TLS_KEY_FILE', 'INGEST_SRT_PORT', 'INGEST_DRAIN_SECONDS',
    'INGEST_SRT_PASSPHRASE', 'INGEST_SRT_LATENCY_MS', 'INGEST_PUBLIC_HOST', 'INGEST_NODE_ID', 'INGEST_BIND', 'INGEST_INTERNAL_URL',
    'INGEST_WHIP_PORT', 'INGEST_WHIP_URL', 'METRICS_HOST', 'METRICS_PORT', ...WEBRTC,
  ],
  // The WebRTC edge: Redis (its load), the internal token (pull tokens, WHEP tickets), nothing else.
  edge: [
    'NODE_ENV', 'LOG_LEVEL', 'LOG_FORMAT', 'REDIS_URL', 'REDIS_PREFIX', 'INTERNAL_TOKEN', 'FFMPEG_PATH',
    'EDGE_HOST', 'EDGE_PORT', 'EDGE_PUBLIC_URL', 'EDGE_ID', 'WEBRTC_MAX_VIEWERS', ...WEBRTC,
  ],
  worker: [
    'NODE_ENV', 'LOG_LEVEL', 'LOG_FORMAT', 'DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'INTERNAL_TOKEN', 'FFMPEG_PATH', 'TRANSCODE_DIR',
    'STORAGE_ENDPOINT', 'STORAGE_REGION', 'STORAGE_BUCKET', 'STORAGE_ACCESS_KEY_ID', 'STORAGE_SECRET_ACCESS_KEY',
    'WORKER_CONCURRENCY', 'WORKER_STALE_SECONDS', 'LIVE_SEGMENT_RETENTION_SECONDS', 'VIEWERS_FLUSH_SECONDS', 'PULL_INGEST_URL', 'ALLOW_PRIVATE_TARGETS',
    'WEBHOOK_RETRY_BASE_MS', 'WEBHOOK_TIMEOUT_MS', 'SECRETS_ENCRYPTION_KEY', 'METRICS_HOST', 'METRICS_PORT', ...PRESENTATION,
  ],
  api: [
    'NODE_ENV', 'LOG_LEVEL', 'LOG_FORMAT', 'DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'API_HOST', 'API_INTERNAL_PORT', 'API_INTERNAL_HOST',
    'API_INTERNAL_URL', 'INTERNAL_TOKEN', 'STORAGE_ENDPOINT', 'STORAGE_REGION', 'STORAGE_BUCKET', 'STORAGE_ACCESS_KEY_ID',
    'STORAGE_SECRET_ACCESS_KEY', 'PLAYBACK_SIGNING_KEY', 'STREAM_KEY_ENCRYPTION_KEY', 'SECRETS_ENCRYPTION_KEY', 'ALLOW_PRIVATE_TARGETS',
    'RATE_LIMIT_MAX', 'RATE_LIMIT_WINDOW_MS', 'SUPERVISOR_STATE_FILE', ...PRESENTATION,
  ],
};

/** The part of `env` an app may see: its own variables, and the process basics (PATH, HOME, …). */
export function envFor(app: AppName, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const basics = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];
  const out: NodeJS.ProcessEnv = {};
  for (const name of [...basics, ...APP_ENV[app]]) if (env[name] !== undefined) out[name] = env[name];
  return out;
}

interface RawEnv {
  NODE_ENV: string;
  LOG_LEVEL: string;
  LOG_FORMAT: string;
  DATABASE_URL: string;
  REDIS_URL: string;
  REDIS_PREFIX: string;
  API_HOST: string;
  API_PORT: number;
  API_PUBLIC_URL?: string;
  API_INTERNAL_PORT?: number;
  API_INTERNAL_HOST?: string;
  INGEST_RTMP_PORT: number;
  INGEST_RTMPS_PORT: number;
  INGEST_TLS_CERT_FILE?: string;
  INGEST_SRT_PORT: number;
  INGEST_DRAIN_SECONDS: number;
  INGEST_SRT_PASSPHRASE?: string;
  INGEST_SRT_LATENCY_MS: number;
  INGEST_TLS_KEY_FILE?: string;
  INGEST_PUBLIC_HOST: string;
  INGEST_NODE_ID?: string;
  INGEST_BIND: string;
  INGEST_INTERNAL_URL?: string;
  API_INTERNAL_URL?: string;
  TRANSCODE_DIR?: string;
  LIVE_SEGMENT_RETENTION_SECONDS: number;
  VIEWERS_FLUSH_SECONDS: number;
  PULL_INGEST_URL?: string;
  INTERNAL_TOKEN?: string;
  STORAGE_ENDPOINT?: string;
  STORAGE_REGION: string;
  STORAGE_BUCKET: string;
  STORAGE_ACCESS_KEY_ID: string;
  STORAGE_SECRET_ACCESS_KEY: string;
  CDN_BASE_URL?: string;
  FFMPEG_PATH?: string;
  WORKER_CONCURRENCY: number;
  WORKER_STALE_SECONDS: number;
  PLAYBACK_SIGNING_KEY?: string;
  STREAM_KEY_ENCRYPTION_KEY?: string;
  SECRETS_ENCRYPTION_KEY?: string;
  SUPERVISOR_STATE_FILE?: string;
  ALLOW_PRIVATE_TARGETS: boolean;
  WEBHOOK_RETRY_BASE_MS: number;
  WEBHOOK_TIMEOUT_MS: number;
  RATE_LIMIT_MAX: number;
  RATE_LIMIT_WINDOW_MS: number;
  INGEST_WHIP_PORT: number;
  INGEST_WHIP_URL?: string;
  EDGE_HOST: string;
  EDGE_PORT: number;
  EDGE_PUBLIC_URL?: string;
  EDGE_ID?: string;
  WEBRTC_PUBLIC_IP?: string;
  WEBRTC_UDP_PORT_MIN?: number;
  WEBRTC_UDP_PORT_MAX?: number;
  WEBRTC_ICE_SERVERS?: string;
  WEBRTC_MAX_VIEWERS: number;
  METRICS_HOST: string;
  METRICS_PORT?: number;
}

export interface Config {
  env: string;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  databaseUrl: string;
  redis: { url: string; prefix: string };
  api: {
    host: string;
    port: number;
    publicUrl: string;
    /** Where ingest nodes (and the CDN's auth_request) reach the internal endpoints. */
    internalUrl: string;
    /** When set, `/internal/*` is served only on this listener, never on the public port. */
    internalListener?: { host: string; port: number };
  };
  ingest: {
    rtmpPort: number;
    bind: string;
    publicHost: string;
    nodeId: string;
    /** What encoders are told: rtmp://<public host>:<port>/live */
    rtmpBaseUrl: string;
    rtmpsPort: number;
    rtmpsBaseUrl: string;
    /** PEM files for RTMPS; without both, the node serves plain RTMP only. */
    tls?: { certFile: string; keyFile: string };
    /** On SIGTERM: stop taking publishes, wait this long for the current ones to end, then close them. */
    drainSeconds: number;
    /** SRT listener (UDP); port 0 turns it off. The passphrase, when set, encrypts every caller (AES). */
    srt: { port: number; passphrase?: string; latencyMs: number; baseUrl: string };
    /** Where workers pull this node's sessions from (recorded on each session). */
    internalUrl: string;
    /** WHIP (WebRTC) publishing: the HTTP port (0: off) and the URL encoders are given. */
    whip: { port: number; url: string };
  };
  /** The WebRTC edge (apps/edge): where it listens and how viewers reach it. */
  edge: { host: string; port: number; publicUrl: string; id: string; maxViewers: number };
  webrtc: WebRtcSettings;
  internalToken: string;
  storage: { endpoint?: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  /** Where players fetch `live/…`, `vod/…`, `thumbs/…`: a CDN, or the API's own edge at /cdn. */
  cdnBaseUrl: string;
  ffmpegPath?: string;
  transcodeDir: string;
  /** How long a session that is not recorded keeps its segments after it ends (late viewers). */
  liveSegmentRetentionSeconds: number;
  /** How often the worker writes viewer counts from Redis to Postgres. */
  viewersFlushSeconds: number;
  /** Where a worker pushes a pulled source (an ingest's RTMP, `…/live`): reachable from the workers. */
  pullIngestUrl: string;
  workerConcurrency: number;
  /**
   * A worker whose heartbeat is this old is taken for dead even though its Redis connection looks
   * open (frozen, partitioned); a worker that exits is noticed at once (apps/worker/src/ownership.ts).
   */
  workerStaleMs: number;
  /** Where this process serves Prometheus /metrics (worker, ingest). */
  metrics: { host: string; port: number };
  /** HMAC secret of the tokens Airwave mints itself (console preview, `POST /v1/playback-tokens`). */
  playbackSigningKey: string;
  /** 32 bytes for AES-256-GCM: stream keys (and idempotent answers) at rest. The API's alone. */
  encryptionKey: Buffer;
  /** 32 bytes for AES-256-GCM: webhook secrets and simulcast destination keys, which workers use. */
  secretsKey: Buffer;
  /** Where `npm run up`'s supervisor says which processes it left down (/readyz reports them). */
  supervisorStateFile?: string;
  allowPrivateTargets: boolean;
  webhooks: { retryBaseMs: number; timeoutMs: number };
  rateLimit: { max: number; windowMs: number };
}

export interface WebRtcSettings {
  publicIp?: string;
  portRange?: [number, number];
  /** WEBRTC_ICE_SERVERS as given: a JSON array of RTCIceServer, or comma-separated stun:/turn: URLs. */
  iceServers?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Local development may run without secrets; production may not. */
function devSecret(isProduction: boolean, name: string, label: string): string {
  if (isProduction) throw new ConfigError(`${name} must be set when NODE_ENV=production`);
  return createHash('sha256').update(`airwave-insecure-dev-${label}`).digest('base64url');
}

function parseEncryptionKey(name: string, label: string, value: string | undefined, isProduction: boolean): Buffer {
  const raw = value ?? devSecret(isProduction, name, label);
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64url');
  if (key.length !== 32) {
    throw new ConfigError(`${name} must be 32 bytes, as 64 hex characters or base64url`);
  }
  return key;
}

/**
 * Reads the configuration. With `app`, only that app's variables (APP_ENV) are read, and a secret
 * the app is not given is withheld: using it throws, so a process cannot quietly depend on it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, app?: AppName): Config {
  const data = app ? envFor(app, env) : env;
  const uses = (name: EnvName) => !app || APP_ENV[app].includes(name);
  let raw: RawEnv;
  try {
    raw = parseEnv<RawEnv>({ schema: envSchema, data, dotenv: false });
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
  const isProduction = raw.NODE_ENV === 'production';
  const secret = <T>(name: EnvName, make: () => T) => (uses(name) ? make() : withheld<T>(name, app!));
  const trim = (u: string) => u.replace(/\/+$/, '');
  const apiPublicUrl = trim(raw.API_PUBLIC_URL ?? `http://localhost:${raw.API_PORT}`);
  return {
    env: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT as 'json' | 'pretty',
    databaseUrl: secret('DATABASE_URL', () => raw.DATABASE_URL),
    redis: { url: raw.REDIS_URL, prefix: raw.REDIS_PREFIX },
    api: {
      host: raw.API_HOST,
      port: raw.API_PORT,
      publicUrl: apiPublicUrl,
      internalUrl: trim(raw.API_INTERNAL_URL ?? `http://127.0.0.1:${raw.API_INTERNAL_PORT ?? raw.API_PORT}`),
      internalListener: raw.API_INTERNAL_PORT ? { host: raw.API_INTERNAL_HOST ?? raw.API_HOST, port: raw.API_INTERNAL_PORT } : undefined,
    },
    ingest: {
      rtmpPort: raw.INGEST_RTMP_PORT,
      bind: raw.INGEST_BIND,
      publicHost: raw.INGEST_PUBLIC_HOST,
      nodeId: raw.INGEST_NODE_ID ?? hostname(),
      rtmpBaseUrl: `rtmp://${raw.INGEST_PUBLIC_HOST}:${raw.INGEST_RTMP_PORT}/live`,
      rtmpsPort: raw.INGEST_RTMPS_PORT,
      rtmpsBaseUrl: `rtmps://${raw.INGEST_PUBLIC_HOST}:${raw.INGEST_RTMPS_PORT}/live`,
      drainSeconds: raw.INGEST_DRAIN_SECONDS,
      srt: {
        port: raw.INGEST_SRT_PORT,
        passphrase: raw.INGEST_SRT_PASSPHRASE,
        latencyMs: raw.INGEST_SRT_LATENCY_MS,
        baseUrl: `srt://${raw.INGEST_PUBLIC_HOST}:${raw.INGEST_SRT_PORT}`,
      },
      tls: raw.INGEST_TLS_CERT_FILE && raw.INGEST_TLS_KEY_FILE ? { certFile: raw.INGEST_TLS_CERT_FILE, keyFile: raw.INGEST_TLS_KEY_FILE } : undefined,
      internalUrl: trim(raw.INGEST_INTERNAL_URL ?? `rtmp://127.0.0.1:${raw.INGEST_RTMP_PORT}/live`),
      whip: { port: raw.INGEST_WHIP_PORT, url: trim(raw.INGEST_WHIP_URL ?? `http://${raw.INGEST_PUBLIC_HOST}:${raw.INGEST_WHIP_PORT}/whip`) },
    },
    edge: {
      host: raw.EDGE_HOST,
      port: raw.EDGE_PORT,
      publicUrl: trim(raw.EDGE_PUBLIC_URL ?? `http://localhost:${raw.EDGE_PORT}`),
      id: raw.EDGE_ID ?? `${hostname()}:${raw.EDGE_PORT}`,
      maxViewers: raw.WEBRTC_MAX_VIEWERS,
    },
    webrtc: {
      publicIp: raw.WEBRTC_PUBLIC_IP,
      portRange: udpPortRange(raw.WEBRTC_UDP_PORT_MIN, raw.WEBRTC_UDP_PORT_MAX),
      iceServers: raw.WEBRTC_ICE_SERVERS,
    },
    internalToken: raw.INTERNAL_TOKEN ?? devSecret(isProduction, 'INTERNAL_TOKEN', 'internal-token'),
    storage: secret('STORAGE_SECRET_ACCESS_KEY', () => ({
      endpoint: raw.STORAGE_ENDPOINT,
      region: raw.STORAGE_REGION,
      bucket: raw.STORAGE_BUCKET,
      accessKeyId: raw.STORAGE_ACCESS_KEY_ID,
      secretAccessKey: raw.STORAGE_SECRET_ACCESS_KEY,
    })),
    // Without a CDN the API's playback edge serves the bucket (and enforces signed playback).
    cdnBaseUrl: trim(raw.CDN_BASE_URL ?? `${apiPublicUrl}/cdn`),
    ffmpegPath: raw.FFMPEG_PATH,
    transcodeDir: raw.TRANSCODE_DIR ?? path.join(tmpdir(), 'airwave-transcode'),
    liveSegmentRetentionSeconds: raw.LIVE_SEGMENT_RETENTION_SECONDS,
    viewersFlushSeconds: raw.VIEWERS_FLUSH_SECONDS,
    pullIngestUrl: trim(raw.PULL_INGEST_URL ?? `rtmp://${raw.INGEST_PUBLIC_HOST}:${raw.INGEST_RTMP_PORT}/live`),
    workerConcurrency: raw.WORKER_CONCURRENCY,
    workerStaleMs: raw.WORKER_STALE_SECONDS * 1000,
    metrics: { host: raw.METRICS_HOST, port: raw.METRICS_PORT ?? (app && METRICS_PORTS[app]) ?? 0 },
    playbackSigningKey: secret('PLAYBACK_SIGNING_KEY', () => raw.PLAYBACK_SIGNING_KEY ?? devSecret(isProduction, 'PLAYBACK_SIGNING_KEY', 'playback-signing')),
    encryptionKey: secret('STREAM_KEY_ENCRYPTION_KEY', () => parseEncryptionKey('STREAM_KEY_ENCRYPTION_KEY', 'stream-key-encryption', raw.STREAM_KEY_ENCRYPTION_KEY, isProduction)),
    secretsKey: secret('SECRETS_ENCRYPTION_KEY', () => parseEncryptionKey('SECRETS_ENCRYPTION_KEY', 'secrets-encryption', raw.SECRETS_ENCRYPTION_KEY, isProduction)),
    supervisorStateFile: raw.SUPERVISOR_STATE_FILE,
    allowPrivateTargets: raw.ALLOW_PRIVATE_TARGETS,
    webhooks: { retryBaseMs: raw.WEBHOOK_RETRY_BASE_MS, timeoutMs: raw.WEBHOOK_TIMEOUT_MS },
    rateLimit: { max: raw.RATE_LIMIT_MAX, windowMs: raw.RATE_LIMIT_WINDOW_MS },
  };
}

function udpPortRange(min: number | undefined, max: number | undefined): [number, number] | undefined {
  if (min === undefined && max === undefined) return undefined;
  if (min === undefined || max === undefined || max <= min) {
    throw new ConfigError('WEBRTC_UDP_PORT_MIN and WEBRTC_UDP_PORT_MAX go together, and MAX must be above MIN');
  }
  return [min, max];
}

/** A placeholder for a secret this app is not given: reading it is a bug, and says so. */
function withheld<T>(name: string, app: AppName): T {
  return new Proxy({}, {
    get(_t, prop) {
      if (prop === Symbol.toPrimitive || prop === 'then' || prop === 'toJSON') return undefined;
      throw new ConfigError(`${name} is not given to the ${app} process (least privilege; see APP_ENV)`);
    },
  }) as T;
}

/** For a process entry point: the config, or a one-line reason and exit code 78 (EX_CONFIG). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env, app?: AppName): Config {
  try {
    return loadConfig(env, app);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`airwave: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
export { loggerOptions } from './logging.js';
