// RTMP ingest on node-media-server. Holds no state it cannot lose: every publish is authorized by
// the API, and every change is reported to it. NMS emits `prePublish` synchronously, so the answer
// arrives after NMS has registered the publisher: a refusal closes the session; nothing is reported
// live, and no worker pulls it, before the API has said yes.
import { ingestMetrics } from './metrics.js';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '@airwave/config';
import { verifyIngestPullToken } from '@airwave/jobs';
import type { Logger } from 'pino';
import type { ApiClient } from './api-client.js';
import { type IngestProtocol, PublishStats, type PacketLike, type PublisherLike } from './publish-stats.js';

const require = createRequire(import.meta.url);
/** NMS's registry of stream paths → broadcasts; a live session is also listed under its session id. */
const nmsContext = () => require('node-media-server/src/core/context.js') as { broadcasts: Map<string, unknown> };
const pullPath = (sessionId: string) => `/live/${sessionId}`;
// node-media-server is CommonJS without types; these are the parts of its session we use.
interface NmsSession extends PublisherLike {
  id: string;
  ip: string;
  streamPath: string;
  streamName: string;
  streamQuery: Record<string, string | string[] | undefined>;
  socket?: import('node:net').Socket;
  rtmp?: { onPacketCallback: (p: PacketLike) => void };
  broadcast?: { publishGraceMs: number; publisher?: unknown; subscribers?: Map<string, { close(): void }> };
  close(): void;
}
interface Nms {
  rtmpServer: { tcpServer?: import('node:net').Server; tlsServer?: import('node:tls').Server };
  on(event: string, fn: (session: NmsSession) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
}

const HEARTBEAT_MS = 5000;
/** A client that has not started the RTMP handshake by then is dropped (NMS itself waits forever). */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** C0 of every RTMP handshake: the protocol version. */
const RTMP_VERSION = 0x03;
/** The longest wait for the encoder's headers and first keyframe(s) before reporting the publish started. */
const HEADERS_WAIT_MS = 5000;

export interface LivePublish {
  nmsSession: NmsSession;
  sessionId: string;
  keyPrefix: string;
  stats: PublishStats;
  heartbeat?: NodeJS.Timeout;
  closed: boolean;
}

const keyPrefixOf = (key: string) => `${key.slice(0, 12)}…`;
const clientIp = (ip: string) => ip.replace(/:\d+$/, '').replace(/^::ffff:/, '');

/**
 * node-media-server parses untrusted bytes in the socket's 'data' handler; a malformed FLV tag makes
 * its parser throw (a RangeError in flv.js, found by our RTMP fuzz test), which would take the whole
 * node and every broadcast on it down. The thrown error becomes the parse error NMS already handles
 * by ending that one connection.
 */
function hardenRtmpParser(): void {
  const Rtmp = require('node-media-server/src/protocol/rtmp.js') as { prototype: { parserData(b: Buffer): string | null; __hardened?: boolean } };
  if (Rtmp.prototype.__hardened) return;
  const parse = Rtmp.prototype.parserData;
  Rtmp.prototype.parserData = function (this: unknown, buffer: Buffer) {
    try {
      return parse.call(this, buffer);
    } catch (err) {
      return `malformed RTMP input: ${(err as Error).message}`;
    }
  };
  Rtmp.prototype.__hardened = true;
}

export class IngestServer {
  private nms: Nms | undefined;
  /** NMS session id → our publish. */
  private readonly publishes = new Map<string, LivePublish>();
  /** Stream keys this node's SRT and WHIP bridges are publishing (their encoders' protocol). */
  private readonly bridged = new Map<string, Exclude<IngestProtocol, 'rtmp'>>();
  /** NMS sessions refused (NMS still emits postPublish for them). */
  private readonly refused = new Set<string>();
  /** Stop reports in flight: shutting down waits for them so the API learns at once. */
  private readonly reporting = new Set<Promise<void>>();

  constructor(
    private readonly config: Config,
    private readonly api: ApiClient,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    hardenRtmpParser();
    const NodeMediaServer = require('node-media-server');
    const { tls } = this.config.ingest;
    this.nms = new NodeMediaServer({
      bind: this.config.ingest.bind,
      rtmp: { port: this.config.ingest.rtmpPort, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
      // RTMPS: the same sessions over TLS (NMS terminates it with Node's tls module).
      ...(tls ? { rtmps: { port: this.config.ingest.rtmpsPort, cert: tls.certFile, key: tls.keyFile } } : {}),
      // NMS keeps relay/record metadata in a JSON store; ours lives in Postgres, so keep it out of the tree.
      store: { path: path.join(os.tmpdir(), `airwave-nms-${this.config.ingest.nodeId}`) },
    });
    this.routeNmsLogs();
    this.guardHandshake(this.nms!.rtmpServer.tcpServer, 'connection', 'rtmp');
    this.guardHandshake(this.nms!.rtmpServer.tlsServer, 'secureConnection', 'rtmps');
    this.nms!.on('prePublish', (s) => this.onPrePublish(s));
    this.nms!.on('prePlay', (s) => this.onPrePlay(s));
    await this.nms!.run();
    this.log.info(
      { port: this.config.ingest.rtmpPort, rtmpsPort: tls ? this.config.ingest.rtmpsPort : null, nodeId: this.config.ingest.nodeId },
      'RTMP ingest listening',
    );
    if (!tls) this.log.warn('RTMPS is off: set INGEST_TLS_CERT_FILE and INGEST_TLS_KEY_FILE to accept rtmps:// publishes');
  }

  /**
   * node-media-server logs with console.log and names stream paths, i.e. whole stream keys
   * ("/live/<key> already has a publisher"). Its lines go through our logger instead: JSON like the
   * rest, with every stream path cut to the key's prefix. Its constructor forces `debug`, which costs
   * CPU per packet: errors only, unless we debug.
   */
  private routeNmsLogs(): void {
    const nmsLogger = require('node-media-server/src/core/logger.js') as { level: string; levels: string[]; log(message: string, level?: string): void };
    nmsLogger.level = this.config.logLevel === 'debug' ? 'debug' : 'error';
    nmsLogger.log = (message: string, level = 'info') => {
      if (nmsLogger.levels.indexOf(level) < nmsLogger.levels.indexOf(nmsLogger.level)) return;
      const safe = String(message).replace(/(\/live\/)([^\s/?,]{12})[^\s/?,]*/g, '$1$2…');
      const method = (['trace', 'debug', 'info', 'warn', 'error'] as const).find((l) => l === level) ?? 'info';
      this.log[method]({ source: 'node-media-server' }, safe);
    };
  }

  /**
   * Drops a connection whose first byte is not RTMP's C0 (a TLS client hello on the plain port, an
   * HTTP request, noise) or that sends nothing, before NMS waits on it; other sessions never notice.
   * Plain RTMP on the RTMPS port fails the TLS handshake and Node closes it.
   */
  private guardHandshake(server: import('node:net').Server | undefined, event: 'connection' | 'secureConnection', port: string): void {
    server?.prependListener(event, (socket: import('node:net').Socket) => {
      const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
      socket.once('close', () => clearTimeout(timer));
      socket.prependOnceListener('data', (chunk: Buffer) => {
        clearTimeout(timer);
        if (chunk[0] === RTMP_VERSION) return;
        const hint = chunk[0] === 0x16 ? ' (a TLS client hello: use the rtmps:// URL)' : '';
        this.log.warn({ port, ip: clientIp(socket.remoteAddress ?? '') }, `dropped a connection that is not RTMP${hint}`);
        socket.destroy();
      });
    });
  }

  /**
   * Graceful drain (SIGTERM, a rolling update): new connections are refused at once — the load
   * balancer sends encoders elsewhere — and current publishers may finish within `deadlineMs`. Those
   * still live then are closed; their encoders reconnect through another node into the same session.
   */
  async drain(deadlineMs: number): Promise<number> {
    this.nms?.rtmpServer.tcpServer?.close();
    this.nms?.rtmpServer.tlsServer?.close();
    const until = Date.now() + deadlineMs;
    while (this.publishes.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    return this.publishes.size;
  }

  async stop(): Promise<void> {
    for (const p of this.publishes.values()) p.nmsSession.close();
    await this.nms?.stop();
    // The API hears "encoder gone" now (reconnect window), not when the node's heartbeats go stale.
    await new Promise((r) => setTimeout(r, 100)); // sockets report 'close' a tick after being destroyed
    await Promise.race([Promise.allSettled([...this.reporting]), new Promise((r) => setTimeout(r, 5000))]);
  }

  /** Closes the publisher holding one of our sessions (API said: disable, delete, complete). */
  stopSession(sessionId: string, reason: string): boolean {
    for (const p of this.publishes.values()) {
      if (p.sessionId === sessionId) {
        this.log.info({ sessionId, keyPrefix: p.keyPrefix, reason }, 'disconnecting publisher');
        p.nmsSession.close();
        return true;
      }
    }
    return false;
  }

  /** A bridge (SRT, WHIP) is about to publish `streamKey` into this node; call the answer when it stops. */
  bridge(streamKey: string, protocol: Exclude<IngestProtocol, 'rtmp'>): () => void {
    this.bridged.set(streamKey, protocol);
    return () => this.bridged.get(streamKey) === protocol && this.bridged.delete(streamKey);
  }

  get activeSessions(): number {
    return this.publishes.size;
  }

  /**
   * Only workers pull, by session id (never by stream key) with a short-lived token signed with
   * INTERNAL_TOKEN: the ingest is not a public player. The session id names the publisher's broadcast
   * (`expose`), so the key never has to leave the API and the encoder.
   */
  private onPrePlay(session: NmsSession): void {
    const live = [...this.publishes.values()].some((p) => p.sessionId === session.streamName && !p.closed);
    if (!live || !verifyIngestPullToken(this.config.internalToken, session.streamName, session.streamQuery?.token)) {
      this.log.warn({ ip: clientIp(session.ip), live }, 'play refused: not a live session id with a valid pull token');
      setImmediate(() => session.close());
    }
  }

  /** Lists the publisher's broadcast under its session id too: what workers pull. */
  private expose(p: LivePublish): void {
    if (p.nmsSession.broadcast) nmsContext().broadcasts.set(pullPath(p.sessionId), p.nmsSession.broadcast);
  }

  private unexpose(p: LivePublish): void {
    const broadcasts = nmsContext().broadcasts;
    if (broadcasts.get(pullPath(p.sessionId)) === p.nmsSession.broadcast) broadcasts.delete(pullPath(p.sessionId));
  }

  private onPrePublish(session: NmsSession): void {
    const streamKey = session.streamName;
    const keyPrefix = keyPrefixOf(streamKey);
    // Reconnect semantics belong to the API (reconnect window); NMS's own 30 s grace would hold the path.
    if (session.broadcast) session.broadcast.publishGraceMs = 0;
    const stats = new PublishStats(this.bridged.get(streamKey) ?? 'rtmp');
    const forward = session.rtmp?.onPacketCallback;
    if (session.rtmp && forward) {
      session.rtmp.onPacketCallback = (p) => {
        stats.onPacket(p);
        forward(p);
      };
    }
    let socketClosed = false;
    session.socket?.once('close', () => {
      socketClosed = true;
      const report = this.onSocketClosed(session);
      this.reporting.add(report);
      void report.finally(() => this.reporting.delete(report));
    });

    void this.api
      .authorize({ streamKey, ingestNodeId: this.config.ingest.nodeId, ingestAddress: this.config.ingest.internalUrl, clientIp: clientIp(session.ip) })
      .then(
        async (answer) => {
          if (!answer.allow) {
            this.refuse(session, keyPrefix, answer.reason);
            return;
          }
          const publish: LivePublish = { nmsSession: session, sessionId: answer.sessionId, keyPrefix, stats, closed: false };
          this.publishes.set(session.id, publish);
          this.expose(publish);
          ingestMetrics.attempt('authorized');
          this.log.info({ sessionId: answer.sessionId, liveStreamId: answer.liveStreamId, keyPrefix, resumed: answer.resumed }, 'publish authorized');
          if (socketClosed) return void this.onSocketClosed(session);
          await this.waitForHeaders(stats, answer.latencyMode === 'low' ? 1 : 4, () => publish.closed);
          if (publish.closed) return;
          // Heartbeats from now on, whatever happens to the start report: a session that goes silent
          // is ended by the API as if its ingest had died.
          publish.heartbeat = setInterval(() => void this.beat(publish), HEARTBEAT_MS);
          publish.heartbeat.unref();
          await this.reportStarted(publish);
        },
        (err: Error) => this.refuse(session, keyPrefix, `api_unreachable: ${err.message}`),
      )
      .catch((err: Error) => this.log.error({ keyPrefix, err: err.message }, 'publish start failed'));
  }

  /**
   * "Start the ladder": retried until it lands (it is idempotent) while the publisher is here, so an
   * API that answers slowly under a burst of publishes, or a database outage, delays the ladder
   * instead of losing it.
   */
  private async reportStarted(p: LivePublish): Promise<void> {
    for (let attempt = 1; !p.closed; attempt++) {
      try {
        const { keep } = await this.api.started(p.sessionId, p.stats.snapshot(p.nmsSession));
        if (!keep) p.nmsSession.close();
        return;
      } catch (err) {
        this.log.warn({ sessionId: p.sessionId, attempt, err: (err as Error).message }, 'reporting the start failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)));
      }
    }
  }

  private refuse(session: NmsSession, keyPrefix: string, reason: string): void {
    this.refused.add(session.id);
    ingestMetrics.attempt(reason);
    this.log.warn({ keyPrefix, reason, ip: clientIp(session.ip) }, 'publish refused');
    session.close();
    setTimeout(() => this.refused.delete(session.id), 60_000).unref();
  }

  private async waitForHeaders(stats: PublishStats, segmentSeconds: number, cancelled: () => boolean): Promise<void> {
    const started = Date.now();
    const deadline = started + HEADERS_WAIT_MS;
    const ready = () => {
      // 4 s segments: start at the first keyframe, so the worker's pull gets the stream from it (the
      // ingest only caches the latest GOP); the worker verifies the interval from the segments.
      // 1 s segments: the copy path needs keyframes ≤ 1 s apart, known within about a second.
      const videoReady = stats.sawVideo && (segmentSeconds > 1 ? stats.sawKeyframe : stats.keyframeIntervalSettled(segmentSeconds));
      if (videoReady && stats.sawAudio) return true;
      // A publish without audio (or without video) has shown what it carries after a moment.
      return Date.now() - started > 1500 && (videoReady || (stats.sawAudio && !stats.sawVideo));
    };
    while (!ready() && Date.now() < deadline && !cancelled()) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async beat(p: LivePublish): Promise<void> {
    try {
      const { keep } = await this.api.heartbeat(p.sessionId, p.stats.snapshot(p.nmsSession));
      if (!keep) {
        this.log.info({ sessionId: p.sessionId }, 'API no longer wants this session; disconnecting');
        p.nmsSession.close();
      }
    } catch (err) {
      this.log.warn({ sessionId: p.sessionId, err: (err as Error).message }, 'heartbeat failed');
    }
  }

  /** The encoder's socket closed: that is the "encoder gone" moment of the state machine. */
  private async onSocketClosed(session: NmsSession): Promise<void> {
    const p = this.publishes.get(session.id);
    if (!p || p.closed) return;
    // NMS keeps pulls open after their publisher left, so a worker's ffmpeg would block on a dead
    // read and lose its last segment. Ending them lets ffmpeg finish the segment and exit cleanly.
    // Only for the publisher we authorized: a refused second encoder shares the stream path.
    if (session.broadcast?.publisher === session) {
      for (const puller of session.broadcast.subscribers?.values() ?? []) puller.close();
    }
    p.closed = true;
    clearInterval(p.heartbeat);
    this.publishes.delete(session.id);
    this.unexpose(p);
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const res = await this.api.stopped(p.sessionId);
        this.log.info({ sessionId: p.sessionId, status: res.status }, 'publish stopped');
        return;
      } catch (err) {
        this.log.warn({ sessionId: p.sessionId, attempt, err: (err as Error).message }, 'reporting stop failed; retrying');
        await new Promise((r) => setTimeout(r, attempt * 500));
      }
    }
  }
}
