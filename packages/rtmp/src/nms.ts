// The parts of node-media-server's RTMP client and FLV codec we use (CommonJS, untyped). They are
// what NMS itself relays with; we drive them from the worker and the SRT bridge so a secret (a
// stream key, a pull token, a destination key) lives in process memory, never on a command line.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface AvPacket {
  codec_type: number;
  dts: number;
  size: number;
  data: Buffer;
}

export interface RtmpUrlInfo {
  host: string;
  port: number;
  app: string;
  streamName: string;
}

export interface RtmpClient {
  socket: import('node:net').Socket | null;
  baseUri: string;
  handleData(data: Buffer): void;
  sendClientHandshake(): void;
  resetProtocolState(): void;
  rejectHandshake(err: Error): void;
  rejectAllPending(err: Error): void;
  stopHeartbeat(): void;
  handshakeReject: ((err: Error) => void) | null;
  onHandshakeCallback(): void;
  connected: boolean;
  urlInfo: RtmpUrlInfo | null;
  streamId: number;
  onPacketCallback(p: AvPacket): void;
  onCloseCallback(hadError: boolean): void;
  onErrorCallback(err: Error): void;
  onStatusCallback(code: string, info: { description?: string }): void;
  onOutputCallback(buffer: Buffer): void;
  connect(url: string): Promise<void>;
  sendConnect(): Promise<unknown>;
  sendCreateStream(): Promise<number>;
  sendPlay(name: string): Promise<unknown>;
  sendPublish(name: string): Promise<unknown>;
  startHeartbeat(ms?: number): void;
  disconnect(): void;
}

export const RtmpClient = require('node-media-server/src/protocol/rtmp_client.js') as {
  new (): RtmpClient;
  parseUrl(url: string): RtmpUrlInfo;
};

export const Flv = require('node-media-server/src/protocol/flv.js') as {
  new (): { onPacketCallback(p: AvPacket): void; parserData(b: Buffer): string | null };
  createHeader(hasAudio: boolean, hasVideo: boolean): Buffer;
  createMessage(p: AvPacket): Buffer;
};

/** NMS logs with console.log at `debug` by default: errors only (it also names stream paths). */
export function quietNmsLogs(): void {
  const logger = require('node-media-server/src/core/logger.js') as { level: string };
  logger.level = 'error';
}

/** NMS's chunker of one AV packet into RTMP chunks (its first chunk carries a type-0 header). */
export const Rtmp = require('node-media-server/src/protocol/rtmp.js') as { createMessage(p: AvPacket): Buffer };
