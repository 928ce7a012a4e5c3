// Publishes an FLV byte stream (ffmpeg's stdout) to an RTMP or RTMPS destination, so the destination's
// stream key lives in this process's memory and never on ffmpeg's command line. It uses
// node-media-server's RTMP client (what NMS relays with) and adds what a strict server expects of a
// publisher: media on the stream id createStream gave, metadata as @setDataFrame, and TLS for rtmps.
import net from 'node:net';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import { Flv, Rtmp, RtmpClient, quietNmsLogs, type AvPacket, type RtmpClient as Client } from './nms.js';

export interface RtmpPush {
  /** Resolves when the push ended: the source ended, or the destination refused or dropped it. */
  done: Promise<{ ok: boolean; why: string }>;
  /** Set once the destination said NetStream.Publish.Start. */
  publishing(): boolean;
  close(): void;
}

const FLV_SCRIPT = 18;
const SET_DATA_FRAME = Buffer.from([0x02, 0x00, 0x0d, ...Buffer.from('@setDataFrame')]);

/** Connects the client over TLS (rtmps://): NMS's own connect() speaks plain TCP only. */
function connectTls(client: Client, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const info = RtmpClient.parseUrl(url.replace(/^rtmps:/, 'rtmp:'));
    client.urlInfo = { ...info, port: new URL(url).port ? info.port : 443 };
    client.baseUri = url;
    client.resetProtocolState();
    client.handshakeReject = reject;
    const socket = tls.connect({ host: info.host, port: client.urlInfo.port, servername: net.isIP(info.host) ? undefined : info.host });
    client.socket = socket;
    socket.on('secureConnect', () => {
      client.connected = true;
      client.sendClientHandshake();
    });
    socket.on('data', (d: Buffer) => client.handleData(d));
    socket.on('close', (hadError) => {
      client.connected = false;
      client.socket = null;
      client.stopHeartbeat();
      client.rejectAllPending(new Error('RTMPS connection closed'));
      client.rejectHandshake(new Error('RTMPS connection closed during handshake'));
      client.onCloseCallback(hadError);
    });
    socket.on('error', (err) => {
      client.connected = false;
      client.onErrorCallback(err);
      client.rejectHandshake(err);
    });
    client.onHandshakeCallback = resolve;
  });
}

/** The RTMP chunks of one packet, on the publish stream (NMS's chunker writes message stream id 0). */
function chunksOf(p: AvPacket, streamId: number): Buffer {
  const packet =
    p.codec_type === FLV_SCRIPT ? { ...p, data: Buffer.concat([SET_DATA_FRAME, p.data.subarray(0, p.size)]), size: p.size + SET_DATA_FRAME.length } : p;
  const out = Rtmp.createMessage(packet);
  // Basic header (1 byte: chunk stream ids < 64), then timestamp(3) length(3) type(1) stream id(4, LE).
  out.writeUInt32LE(streamId, 8);
  return out;
}

export function pushFlvToRtmp(url: string, source: Readable, opts: { connectTimeoutMs?: number } = {}): RtmpPush {
  quietNmsLogs();
  const client = new RtmpClient();
  let live = false;
  let ended = false;
  let timeout: NodeJS.Timeout | undefined;
  let finish!: (r: { ok: boolean; why: string }) => void;
  const done = new Promise<{ ok: boolean; why: string }>((resolve) => (finish = resolve));
  const end = (ok: boolean, why: string) => {
    if (ended) return;
    ended = true;
    clearTimeout(timeout);
    source.unpipe?.();
    source.removeAllListeners('data');
    source.resume(); // drain whatever ffmpeg still writes, so it can exit
    client.disconnect();
    finish({ ok, why });
  };
  client.onCloseCallback = () => end(false, 'the destination closed the connection');
  client.onErrorCallback = (err) => end(false, `destination error: ${err.message}`);
  client.onStatusCallback = (code, info) => {
    if (/Failed|BadName|Rejected|Error|Unpublish/i.test(code)) end(false, `destination answered ${code}${info.description ? `: ${info.description}` : ''}`);
  };

  const flv = new Flv();
  flv.onPacketCallback = (p) => {
    if (!live || ended || !client.socket) return;
    client.socket.write(chunksOf(p, client.streamId));
    if (client.socket.writableNeedDrain && !source.isPaused()) {
      // The destination is behind: stop reading ffmpeg's output until it has caught up.
      source.pause();
      client.socket.once('drain', () => source.resume());
    }
  };
  // Like ffmpeg, connect only once there is media to send: an encoder still probing its input must
  // not open a publish that then sits silent (the ingest times out waiting for its headers).
  let waiting: Buffer[] | undefined = [];
  const feed = (chunk: Buffer) => {
    const err = flv.parserData(chunk);
    if (err) end(false, `unreadable FLV from ffmpeg: ${err}`);
  };
  source.on('data', (chunk: Buffer) => {
    if (!waiting) return feed(chunk);
    waiting.push(chunk);
    if (waiting.length === 1) connect();
    source.pause(); // until the destination said Publish.Start
  });
  source.on('end', () => end(true, 'the source ended'));
  source.on('error', () => end(false, 'the source failed'));

  const connect = () =>
    void (async () => {
      timeout = setTimeout(() => end(false, 'the destination did not accept the publish in time'), opts.connectTimeoutMs ?? 15_000);
      try {
        if (url.startsWith('rtmps:')) await connectTls(client, url);
        else await client.connect(url);
        await client.sendConnect();
        await client.sendCreateStream();
        // The stream key (and any query) rides in the publish command, as every encoder sends it.
        const u = new URL(url);
        await client.sendPublish(`${client.urlInfo!.streamName}${u.search}`);
        clearTimeout(timeout);
        client.startHeartbeat();
        live = true;
        const first = waiting ?? [];
        waiting = undefined;
        for (const chunk of first) feed(chunk);
        source.resume();
      } catch (err) {
        end(false, `could not publish to the destination: ${(err as Error).message}`);
      }
    })();
  return { done, publishing: () => live && !ended, close: () => end(true, 'closed') };
}
