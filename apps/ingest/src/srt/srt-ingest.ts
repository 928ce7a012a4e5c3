// SRT ingest: encoders call `srt://host:port?streamid=<stream key>` and push MPEG-TS. Each accepted
// connection is remuxed (no re-encode) by an ffmpeg into this node's own RTMP server under the same
// key, so an SRT publish gets exactly the RTMP path: the API's authorize, the state machine, the
// ladder, the recording, stats and heartbeats. A key the API already refuses is dropped at once.
import { type FfmpegRun, runFfmpeg, srtBridgeArgs } from '@airwave/ffmpeg';
import type { Logger } from 'pino';
import { pushFlvToRtmp } from '@airwave/rtmp';
import type { LibSrt } from './libsrt.js';
import { SRT_EPOLL_ERR, SRT_EPOLL_IN } from './libsrt.js';

const POLL_MS = 5;
/** What ffmpeg may fall behind by before the caller is dropped (it remuxes far faster than real time). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface SrtIngestOptions {
  srt: LibSrt;
  host: string;
  port: number;
  passphrase?: string;
  latencyMs?: number;
  ffmpegPath: string;
  /** rtmp://<this node>/live — the relay publishes `<rtmpBase>/<key>`. */
  rtmpBase: string;
  /** Fast refusal of keys the API would refuse anyway (unknown, disabled, deleted, already live). */
  precheck(streamKey: string): Promise<{ allow: boolean; reason?: string }>;
  /** Tells the node's RTMP side that this key is an SRT publish (its stats say so); the answer undoes it. */
  bridge(streamKey: string): () => void;
  log: Logger;
}

interface Caller {
  socket: number;
  address: string;
  keyPrefix: string;
  relay?: FfmpegRun;
  /** What arrives while the API is asked: the first keyframe is in there. */
  pending: Buffer[];
  pendingBytes: number;
  unbridge?: () => void;
  closed: boolean;
}

/**
 * The stream key in an SRT stream id: the key itself, `live/<key>`, or the SRT access-control
 * syntax `#!::r=<key>,m=publish` (what OBS and vMix send when given a resource name).
 */
export function streamKeyFromStreamId(streamId: string): { key?: string; mode: string } {
  let resource = streamId.trim();
  let mode = 'publish';
  if (resource.startsWith('#!::')) {
    const fields = Object.fromEntries(
      resource
        .slice(4)
        .split(',')
        .map((kv) => kv.split('=') as [string, string]),
    );
    resource = fields.r ?? '';
    mode = fields.m ?? 'request';
  }
  const key = resource.replace(/^\/?live\//, '');
  return { key: /^[A-Za-z0-9_-]{8,200}$/.test(key) ? key : undefined, mode };
}

export class SrtIngest {
  private listener = -1;
  private eid = -1;
  private timer: NodeJS.Timeout | undefined;
  private readonly callers = new Map<number, Caller>();
  private readonly buf = Buffer.alloc(1500);

  constructor(private readonly o: SrtIngestOptions) {}

  start(): void {
    const { srt } = this.o;
    this.listener = srt.createListener(this.o.host, this.o.port, { passphrase: this.o.passphrase, latencyMs: this.o.latencyMs });
    this.eid = srt.epollCreate();
    srt.epollAdd(this.eid, this.listener, SRT_EPOLL_IN | SRT_EPOLL_ERR);
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  get activeCallers(): number {
    return this.callers.size;
  }

  /** Closes the listening socket; connected callers go on (drain). */
  stopAccepting(): void {
    if (this.listener < 0) return;
    this.o.srt.epollRemove(this.eid, this.listener);
    this.o.srt.close(this.listener);
    this.listener = -1;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const c of this.callers.values()) this.drop(c, 'ingest stopping');
    this.stopAccepting();
  }

  private poll(): void {
    const { srt } = this.o;
    for (const { socket, events } of srt.epollReady(this.eid)) {
      if (socket === this.listener) {
        for (let a = srt.accept(this.listener); a; a = srt.accept(this.listener)) this.onCaller(a.socket, a.address);
        continue;
      }
      const caller = this.callers.get(socket);
      if (!caller) continue;
      this.read(caller);
      if (events & SRT_EPOLL_ERR) this.drop(caller, 'connection closed by the encoder');
    }
  }

  private read(c: Caller): void {
    for (;;) {
      const n = this.o.srt.recv(c.socket, this.buf);
      if (n === 0) return;
      if (n < 0) {
        this.drop(c, 'connection closed by the encoder');
        return;
      }
      const chunk = Buffer.from(this.buf.subarray(0, n));
      const stdin = c.relay?.stdin;
      if (!stdin) {
        c.pending.push(chunk);
        c.pendingBytes += n;
        if (c.pendingBytes > MAX_BUFFERED_BYTES) {
          this.drop(c, 'no answer from the API in time');
          return;
        }
        continue;
      }
      if (stdin.destroyed) continue;
      stdin.write(chunk);
      if (stdin.writableLength > MAX_BUFFERED_BYTES) {
        this.drop(c, 'relay too slow');
        return;
      }
    }
  }

  private onCaller(socket: number, address: string): void {
    const { key, mode } = streamKeyFromStreamId(this.o.srt.streamId(socket));
    const caller: Caller = { socket, address, keyPrefix: key ? `${key.slice(0, 12)}…` : '(none)', pending: [], pendingBytes: 0, closed: false };
    this.callers.set(socket, caller);
    this.o.srt.epollAdd(this.eid, socket, SRT_EPOLL_IN | SRT_EPOLL_ERR);
    if (!key || mode !== 'publish') {
      this.drop(caller, key ? 'only publishing is supported over SRT' : 'no stream key in the stream id');
      return;
    }
    this.o.precheck(key).then(
      (answer) => {
        if (caller.closed) return;
        if (!answer.allow) {
          this.drop(caller, `publish refused: ${answer.reason}`);
          return;
        }
        this.startRelay(caller, key);
      },
      (err: Error) => this.drop(caller, `publish refused: api_unreachable: ${err.message}`),
    );
  }

  /**
   * ffmpeg remuxes the caller's MPEG-TS to FLV on its stdout (no URL, so no key, on its command
   * line); this process publishes that to the node's own RTMP server under the stream key.
   */
  private startRelay(c: Caller, key: string): void {
    const relay = runFfmpeg(this.o.ffmpegPath, srtBridgeArgs(), { stdin: true, stdout: 'media' });
    c.relay = relay;
    for (const chunk of c.pending) relay.stdin!.write(chunk);
    c.pending = [];
    c.unbridge = this.o.bridge(key);
    const publish = pushFlvToRtmp(`${this.o.rtmpBase}/${key}`, relay.stdout!);
    void publish.done.then(({ ok, why }) => !ok && this.drop(c, `publish ended: ${why}`));
    void relay.exited.then((code) =>
      this.drop(c, code === 0 ? 'relay finished' : `relay ended (${code}): ${relay.stderrTail().trim().split('\n').at(-1) ?? ''}`),
    );
    this.o.log.info({ keyPrefix: c.keyPrefix, ip: c.address }, 'SRT publish relayed to RTMP');
  }

  private drop(c: Caller, reason: string): void {
    if (c.closed) return;
    c.closed = true;
    this.callers.delete(c.socket);
    c.unbridge?.();
    this.o.srt.epollRemove(this.eid, c.socket);
    this.o.srt.close(c.socket);
    // Ending stdin lets ffmpeg write what it has and close the RTMP publish: "encoder gone".
    if (c.relay) {
      c.relay.stdin?.end();
      const relay = c.relay;
      setTimeout(() => void relay.stop(0), 5000).unref();
    }
    this.o.log.info({ keyPrefix: c.keyPrefix, ip: c.address, reason }, 'SRT caller closed');
  }
}
