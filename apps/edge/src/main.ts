// The WebRTC edge: stateless WHEP fan-out of live sessions, pulled from the ingest as workers do.
// Scaled like the workers; each edge reports its load to Redis and the API sends viewers to one with
// room (packages/jobs webrtc-edges.ts).
import { loadConfigOrExit, loggerOptions } from '@airwave/config';
import { createRedis, EDGE_REPORT_MS, removeEdge, reportEdgeLoad, ViewerRecorder } from '@airwave/jobs';
import { iceServerLinks, parseIceServers, weriftEngine, createSignalingServer } from '@airwave/webrtc';
import { pino } from 'pino';
import { edgeRoutes } from './routes.js';
import { Viewers } from './viewers.js';

const config = loadConfigOrExit(process.env, 'edge');
const log = pino(loggerOptions(config, { service: 'edge', edge: config.edge.id }));

let iceServers: ReturnType<typeof parseIceServers>;
try {
  iceServers = parseIceServers(config.webrtc.iceServers);
} catch (err) {
  process.stderr.write(`airwave: ${(err as Error).message}\n`);
  process.exit(78);
}
const engine = weriftEngine({ publicIp: config.webrtc.publicIp, portRange: config.webrtc.portRange, iceServers });
const viewers = new Viewers(engine, { ffmpegPath: config.ffmpegPath, internalToken: config.internalToken }, config.edge.maxViewers, log);
const iceLinks = iceServerLinks(iceServers);

const app = createSignalingServer(log, { iceLinks });
edgeRoutes(app, { viewers, internalToken: config.internalToken, publicUrl: config.edge.publicUrl, iceLinks });
await app.listen({ host: config.edge.host, port: config.edge.port });
log.info(
  { port: config.edge.port, publicUrl: config.edge.publicUrl, maxViewers: config.edge.maxViewers, udpPorts: config.webrtc.portRange ?? 'any' },
  'WebRTC edge listening',
);

const redis = createRedis(config.redis.url, 'producer');
const counts = new ViewerRecorder(redis, config.redis.prefix);
// A report that fails (Redis down) is retried at the next tick; the API drops an edge it has not heard from.
// Each connected viewer counts as watching its stream, like an HLS player fetching its playlist.
const report = () => {
  for (const { viewerId, playbackId } of viewers.watching) counts.record({ viewer: `whep:${viewerId}`, playbackId });
  return reportEdgeLoad(redis, config.redis.prefix, {
    id: config.edge.id,
    url: config.edge.publicUrl,
    viewers: viewers.count,
    maxViewers: config.edge.maxViewers,
    sessions: viewers.sessions,
    at: Date.now(),
  }).catch((err: Error) => log.warn({ err: err.message }, 'could not report load'));
};
await new Promise<void>((resolve) => {
  redis.once('ready', () => resolve());
  setTimeout(resolve, 5000).unref();
});
await report();
const timer = setInterval(report, EDGE_REPORT_MS);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    clearInterval(timer);
    log.info({ signal, viewers: viewers.count }, 'shutting down');
    await removeEdge(redis, config.redis.prefix, config.edge.id).catch(() => {});
    viewers.stopAll('the edge is shutting down');
    await app.close();
    redis.disconnect();
    process.exit(0);
  });
}
