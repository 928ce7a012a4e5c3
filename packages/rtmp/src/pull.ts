// Plays a live stream over RTMP and writes it out as an FLV byte stream (for ffmpeg's stdin), so the
// URL with its pull token stays inside this process. The sink ends when the stream does: the
// publisher left (the ingest closes its pullers), the connection failed, or nothing came for
// `idleMs`. Back-pressure from the sink pauses the socket.
import type { Writable } from 'node:stream';
import { Flv, RtmpClient, quietNmsLogs } from './nms.js';

export interface RtmpPull {
  /** Resolves when the stream ended (and the sink was ended), with why. */
  done: Promise<string>;
  /** Media bytes written so far. */
  bytes(): number;
  close(): void;
}

/**
 * `tracks`: what the publish carries (the ingest's stats). The FLV header says so, and ffmpeg waits
 * for every track it announces: announcing audio for a video-only publish would stall its start.
 */
export function pullRtmpAsFlv(
  url: string,
  sink: Writable,
  opts: { tracks: { audio: boolean; video: boolean }; idleMs?: number; connectTimeoutMs?: number },
): RtmpPull {
  quietNmsLogs();
  const idleMs = opts.idleMs ?? 8000;
  const client = new RtmpClient();
  let written = 0;
  let lastPacket = Date.now();
  let finish!: (why: string) => void;
  const done = new Promise<string>((resolve) => (finish = resolve));
  let ended = false;
  const end = (why: string) => {
    if (ended) return;
    ended = true;
    clearInterval(watchdog);
    client.disconnect();
    sink.end();
    finish(why);
  };
  const watchdog = setInterval(() => Date.now() - lastPacket > idleMs && end(`no media for ${idleMs / 1000} s`), 1000);
  watchdog.unref();
  sink.on('error', () => end('the reader went away'));
  sink.on('close', () => end('the reader went away'));

  let headerSent = false;
  client.onPacketCallback = (p) => {
    if (ended) return;
    lastPacket = Date.now();
    if (!headerSent) {
      sink.write(Flv.createHeader(opts.tracks.audio, opts.tracks.video));
      headerSent = true;
    }
    const tag = Flv.createMessage(p);
    written += tag.length;
    if (!sink.write(tag) && client.socket && !client.socket.isPaused()) {
      // ffmpeg is behind: stop reading from the ingest until it has caught up.
      client.socket.pause();
      sink.once('drain', () => client.socket?.resume());
    }
  };
  client.onCloseCallback = () => end('the ingest closed the stream');
  client.onErrorCallback = () => {};
  client.onStatusCallback = (code) => {
    if (/StreamNotFound|Failed|Rejected|UnpublishNotify/i.test(code)) end(`ingest answered ${code}`);
  };

  const timeout = setTimeout(() => end('could not connect to the ingest in time'), opts.connectTimeoutMs ?? 10_000);
  void (async () => {
    try {
      await client.connect(url);
      await client.sendConnect();
      await client.sendCreateStream();
      // The query (the pull token) rides in the play command, as ffmpeg sends it.
      await client.sendPlay(`${client.urlInfo!.streamName}${new URL(url).search}`);
      client.startHeartbeat();
      clearTimeout(timeout);
    } catch (err) {
      clearTimeout(timeout);
      end(`could not pull from the ingest: ${(err as Error).message}`);
    }
  })();
  void done.then(() => clearTimeout(timeout)); // `done` only ever resolves
  return { done, bytes: () => written, close: () => end('closed') };
}
