// One live session on this edge: one pull from the ingest, one ffmpeg (feed-args.ts), and the RTP it
// writes fanned out to every viewer of the session. Costs the same for one viewer as for a thousand
// (but for the per-viewer SRTP), and stops a little after its last viewer leaves.
import { createSocket, type Socket } from 'node:dgram';
import { runFfmpegOnSession, type FfmpegRun, type PullSettings } from '@airwave/ffmpeg';
import type { WhepTicket } from '@airwave/jobs';
import { RtpPacket, startsKeyframe, type MediaKind, type ViewerPeer } from '@airwave/webrtc';
import type { Logger } from 'pino';
import { buildFeedArgs } from './feed-args.js';

/** A feed with no viewer left lingers this long: a viewer who reloads the page finds it running. */
const LINGER_MS = 10_000;
/** The ingest's GOP cache arrives as a burst at start: a keyframe counts as live once content stops running ahead of the clock for this long. */
const SETTLE_MS = 300;

export interface FeedViewer {
  id: string;
  peer: ViewerPeer;
  /** Video is held back until a keyframe starts (a decoder needs one), again after a PLI. */
  waitingForKeyframe: boolean;
  joinedAt: number;
  firstFrameAt?: number;
}

export class Feed {
  readonly viewers = new Map<string, FeedViewer>();
  private run: FfmpegRun | undefined;
  private sockets: Socket[] = [];
  private linger: NodeJS.Timeout | undefined;
  private closed = false;
  private finish!: (why: string) => void;
  /** Resolves when the feed has stopped (stream ended, ffmpeg failed, or no viewers). */
  readonly ended = new Promise<string>((resolve) => (this.finish = resolve));
  // How far content time has run ahead of wall time: grows during a burst, flat once live.
  private origin: { arrival: number; ts: number } | undefined;
  private maxLead = 0;
  private leadGrewAt = 0;

  constructor(
    readonly ticket: WhepTicket,
    private readonly settings: PullSettings,
    private readonly log: Logger,
  ) {}

  get sessionId(): string {
    return this.ticket.sessionId;
  }

  async start(): Promise<void> {
    const [videoPort, audioPort] = await Promise.all([this.bind('video'), this.bind('audio')]);
    const t = this.ticket;
    const args = buildFeedArgs({ video: t.video, audio: t.audio, reencode: t.bFrames !== false, fps: t.fps, videoPort, audioPort });
    this.run = runFfmpegOnSession(
      this.settings,
      { id: t.sessionId, ingestAddress: t.ingestAddress, tracks: { video: t.video, audio: t.audio } },
      args,
      this.log,
    );
    this.log.info({ pid: this.run.pid, reencode: t.bFrames !== false }, 'feed started');
    void this.run.exited.then((code) =>
      this.stop(this.run?.stoppedByUs() ? 'stopped' : `the stream ended (ffmpeg ${code}): ${this.run?.stderrTail().split('\n').at(-1) ?? ''}`),
    );
  }

  private bind(kind: MediaKind): Promise<number> {
    const socket = createSocket('udp4');
    this.sockets.push(socket);
    socket.on('message', (buf) => this.onRtp(kind, buf));
    socket.on('error', (err) => this.stop(`RTP socket failed: ${err.message}`));
    return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
  }

  private onRtp(kind: MediaKind, buf: Buffer): void {
    // ffmpeg's RTCP sender reports share the port (rtcp-mux): payload types 200–204.
    if (buf.length < 12 || ((buf[1]! & 0x7f) >= 72 && (buf[1]! & 0x7f) <= 76)) return;
    let packet: RtpPacket;
    try {
      packet = RtpPacket.deSerialize(buf);
    } catch {
      return;
    }
    if (kind === 'video') {
      const live = this.isLive(packet.header.timestamp);
      const keyframe = live && startsKeyframe(packet.payload);
      for (const v of this.viewers.values()) {
        if (v.waitingForKeyframe) {
          if (!keyframe || !v.peer.connected) continue;
          v.waitingForKeyframe = false;
          v.firstFrameAt ??= Date.now();
        }
        v.peer.send('video', packet);
      }
      return;
    }
    for (const v of this.viewers.values()) v.peer.send('audio', packet);
  }

  /** Whether content arrives at the pace of the clock now (not the ingest's cached GOP rushing in). */
  private isLive(ts: number): boolean {
    const now = Date.now();
    if (!this.origin) {
      this.origin = { arrival: now, ts };
      this.leadGrewAt = now;
      return false;
    }
    const contentMs = (((ts - this.origin.ts) >>> 0) / 90_000) * 1000;
    const lead = contentMs - (now - this.origin.arrival);
    if (lead > this.maxLead + 30) {
      this.maxLead = lead;
      this.leadGrewAt = now;
    }
    return now - this.leadGrewAt >= SETTLE_MS;
  }

  add(viewer: FeedViewer): void {
    clearTimeout(this.linger);
    this.viewers.set(viewer.id, viewer);
    viewer.peer.onKeyframeRequest(() => {
      // A viewer lost its reference: hold its video until the next keyframe instead of sending
      // frames it cannot decode.
      if (viewer.firstFrameAt) viewer.waitingForKeyframe = true;
    });
  }

  remove(viewerId: string): void {
    this.viewers.delete(viewerId);
    if (this.viewers.size === 0 && !this.closed) {
      clearTimeout(this.linger);
      this.linger = setTimeout(() => this.viewers.size === 0 && this.stop('no viewers'), LINGER_MS);
      this.linger.unref();
    }
  }

  stop(why: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.linger);
    void this.run?.stop(2000);
    for (const s of this.sockets) s.close();
    for (const v of this.viewers.values()) v.peer.close(`the feed ended: ${why}`);
    this.viewers.clear();
    this.log.info({ why }, 'feed stopped');
    this.finish(why);
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
