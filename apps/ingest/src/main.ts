// The ingest process: RTMP server, API client, control channel, graceful shutdown.
import { createServer } from 'node:net';
import { loadConfigOrExit, loggerOptions } from '@airwave/config';
import { createRedis, INGEST_ALIVE_REPORT_MS, ingestControlChannel, ingestGone, reportIngestAlive, type SessionControlMessage } from '@airwave/jobs';
import { pino } from 'pino';
import { ApiClient } from './api-client.js';
import { IngestServer } from './ingest-server.js';
import { loadLibSrt } from './srt/libsrt.js';
import { SrtIngest } from './srt/srt-ingest.js';
import { createSignalingServer, iceServerLinks, parseIceServers, weriftEngine } from '@airwave/webrtc';
import { WhipIngest } from './whip/whip-ingest.js';
import { startMetrics } from '@airwave/metrics';
import { ingestMetrics, registry } from './metrics.js';

const config = loadConfigOrExit(process.env, 'ingest');
const log = pino(loggerOptions(config, { service: 'ingest', node: config.ingest.nodeId }));

const free = await new Promise<boolean>((resolve) => {
  const probe = createServer().once('error', () => resolve(false));
  probe.listen(config.ingest.rtmpPort, config.ingest.bind, () => probe.close(() => resolve(true)));
});
if (!free) {
  log.fatal(`port ${config.ingest.rtmpPort} is already in use: set INGEST_RTMP_PORT to another port`);
  process.exit(1);
}

const api = ApiClient.fromConfig(config);
await reportNodeStarted();
const server = new IngestServer(config, api, log);
await server.start();
const srt = startSrt();
const whip = await startWhip();
ingestMetrics.publishers(() => ({ rtmp: server.activeSessions, srt: srt?.activeCallers ?? 0, whip: whip?.ingest.active ?? 0 }));
await startMetrics(registry, config.metrics, log);

/**
 * Before taking publishes: tells the API this node holds nothing (after a crash or a kill -9, its
 * sessions enter their reconnect window at once, so an encoder that re-publishes here resumes). An
 * unreachable API delays the start by at most 10 s; the stale-session sweeper covers the rest.
 */
async function reportNodeStarted(): Promise<void> {
  const until = Date.now() + 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const { sessions } = await api.nodeStarted(config.ingest.nodeId);
      if (sessions) log.warn({ sessions }, 'sessions this node held before it restarted are in their reconnect window');
      return;
    } catch (err) {
      if (Date.now() > until)
        return void log.warn({ err: (err as Error).message }, 'could not tell the API this node started; stale sessions end by heartbeat');
      await new Promise((r) => setTimeout(r, Math.min(2000, 250 * attempt)));
    }
  }
}

/** SRT next to RTMP when libsrt is there (Debian's ffmpeg brings it); RTMP alone otherwise. */
function startSrt(): SrtIngest | undefined {
  const { srt: opts } = config.ingest;
  if (!opts.port) return undefined;
  const lib = loadLibSrt();
  if (lib instanceof Error) {
    log.warn({ err: lib.message }, 'SRT ingest is off');
    return undefined;
  }
  const ingest = new SrtIngest({
    srt: lib,
    host: config.ingest.bind,
    port: opts.port,
    passphrase: opts.passphrase,
    latencyMs: opts.latencyMs,
    ffmpegPath: config.ffmpegPath ?? 'ffmpeg',
    rtmpBase: config.ingest.internalUrl,
    precheck: (key) => api.precheck(key),
    bridge: (key) => server.bridge(key, 'srt'),
    log,
  });
  try {
    ingest.start();
  } catch (err) {
    // RTMP keeps working; the operator sees why SRT does not (a port in use, an unusable address).
    log.error({ err: (err as Error).message, port: opts.port }, 'SRT ingest is off: set INGEST_SRT_PORT to a free UDP port');
    return undefined;
  }
  log.info({ port: opts.port, encrypted: Boolean(opts.passphrase) }, 'SRT ingest listening');
  return ingest;
}

/** WHIP (WebRTC) publishing on its own HTTP port; INGEST_WHIP_PORT=0 turns it off. */
async function startWhip(): Promise<{ ingest: WhipIngest; close(): Promise<void> } | undefined> {
  const { whip: opts } = config.ingest;
  if (!opts.port) return undefined;
  let iceServers: ReturnType<typeof parseIceServers>;
  try {
    iceServers = parseIceServers(config.webrtc.iceServers);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'WHIP ingest is off: fix WEBRTC_ICE_SERVERS');
    return undefined;
  }
  const iceLinks = iceServerLinks(iceServers);
  const ingest = new WhipIngest({
    engine: weriftEngine({ publicIp: config.webrtc.publicIp, portRange: config.webrtc.portRange, iceServers }),
    ffmpegPath: config.ffmpegPath ?? 'ffmpeg',
    rtmpBase: config.ingest.internalUrl,
    publicUrl: opts.url,
    iceLinks,
    precheck: (key) => api.precheck(key),
    bridge: (key) => server.bridge(key, 'whip'),
    log,
  });
  const app = createSignalingServer(log, { iceLinks });
  ingest.routes(app);
  try {
    await app.listen({ host: config.ingest.bind, port: opts.port });
  } catch (err) {
    log.error({ err: (err as Error).message, port: opts.port }, 'WHIP ingest is off: set INGEST_WHIP_PORT to a free port');
    return undefined;
  }
  log.info({ port: opts.port, url: opts.url }, 'WHIP ingest listening');
  return { ingest, close: () => app.close() };
}

// This node is alive (a Redis key with a short TTL): workers then keep its sessions live through an
// API outage, when heartbeats cannot land (packages/jobs ingest-liveness.ts).
const redis = createRedis(config.redis.url, 'producer');
const sayAlive = () => void reportIngestAlive(redis, config.redis.prefix, config.ingest.nodeId).catch(() => {});
sayAlive();
const alive = setInterval(sayAlive, INGEST_ALIVE_REPORT_MS);

// The API asks us to drop publishers (disable, delete, complete) over Redis; heartbeats catch misses.
const sub = createRedis(config.redis.url, 'worker');
await sub.subscribe(ingestControlChannel(config.redis.prefix));
sub.on('message', (_channel, raw) => {
  try {
    const msg = JSON.parse(raw) as SessionControlMessage;
    if (msg.type === 'stop-session' && msg.ingestNodeId === config.ingest.nodeId) server.stopSession(msg.sessionId, msg.reason);
  } catch {
    log.warn('ignored a malformed control message');
  }
});

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    const drainMs = signal === 'SIGTERM' ? config.ingest.drainSeconds * 1000 : 0;
    log.info({ signal, sessions: server.activeSessions, drainSeconds: drainMs / 1000 }, 'draining: no new publishes');
    srt?.stopAccepting();
    whip?.ingest.stopAccepting();
    const left = await server.drain(drainMs);
    log.info({ closing: left }, 'shutting down');
    clearInterval(alive);
    await ingestGone(redis, config.redis.prefix, config.ingest.nodeId).catch(() => {});
    redis.disconnect();
    sub.disconnect();
    srt?.stop();
    whip?.ingest.stop();
    await whip?.close();
    await server.stop();
    process.exit(0);
  });
}
