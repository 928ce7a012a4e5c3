// The edge's viewers: WHEP sessions, each on the feed of its stream. Admission (the viewer limit),
// the feed per session, release on DELETE or when ICE consent fails.
import { randomBytes } from 'node:crypto';
import { AppError, NotFoundError } from '@airwave/common';
import type { PullSettings } from '@airwave/ffmpeg';
import type { WhepTicket } from '@airwave/jobs';
import { inspectOffer, type MediaEngine } from '@airwave/webrtc';
import type { Logger } from 'pino';
import { Feed } from './feed.js';

export class EdgeFullError extends AppError {
  constructor() {
    super(503, 'edge_full', 'Every real-time edge is at its viewer limit; retry shortly or play the HLS URL');
  }
}

export interface JoinResult {
  viewerId: string;
  answer: string;
}

export class Viewers {
  private readonly feeds = new Map<string, Feed>();
  private readonly byViewer = new Map<string, Feed>();
  /** Viewers admitted whose negotiation is still running (they count against the limit). */
  private joining = 0;
  /** POST → first video frame sent, per viewer, for the metrics. */
  readonly firstFrameMs: number[] = [];

  constructor(
    private readonly engine: MediaEngine,
    private readonly settings: PullSettings,
    private readonly maxViewers: number,
    private readonly log: Logger,
  ) {}

  get count(): number {
    return this.byViewer.size + this.joining;
  }

  get sessions(): string[] {
    return [...this.feeds.keys()];
  }

  /** Every connected viewer and the stream it watches (viewer counts: packages/jobs viewers.ts). */
  get watching(): { viewerId: string; playbackId: string }[] {
    return [...this.byViewer].map(([viewerId, feed]) => ({ viewerId, playbackId: feed.ticket.playbackId }));
  }

  async join(ticket: WhepTicket, offer: string): Promise<JoinResult> {
    const kinds = inspectOffer(offer, { video: ticket.video, audio: false, direction: 'send' });
    if (this.count >= this.maxViewers) throw new EdgeFullError();
    const joinedAt = Date.now();
    this.joining++;
    let feed: Feed;
    let peer: Awaited<ReturnType<MediaEngine['answerViewer']>>;
    try {
      feed = await this.feedFor(ticket);
      peer = await this.engine.answerViewer(offer, { video: ticket.video && kinds.video, audio: ticket.audio && kinds.audio });
    } finally {
      this.joining--;
    }
    if (feed.isClosed) {
      peer.close('the stream ended');
      throw new NotFoundError('Live stream');
    }
    const viewerId = randomBytes(16).toString('base64url');
    feed.add({ id: viewerId, peer, waitingForKeyframe: true, joinedAt });
    this.byViewer.set(viewerId, feed);
    const log = this.log.child({ viewerId: viewerId.slice(0, 8), sessionId: ticket.sessionId });
    log.info({ viewers: this.count }, 'viewer joined');
    void peer.ended.then((why) => {
      const v = feed.viewers.get(viewerId);
      if (v?.firstFrameAt) this.firstFrameMs.push(v.firstFrameAt - v.joinedAt);
      if (this.firstFrameMs.length > 1000) this.firstFrameMs.splice(0, 500);
      feed.remove(viewerId);
      this.byViewer.delete(viewerId);
      log.info({ why, viewers: this.count }, 'viewer left');
    });
    return { viewerId, answer: peer.answer };
  }

  leave(viewerId: string): void {
    const feed = this.byViewer.get(viewerId);
    if (!feed) throw new NotFoundError('WHEP session');
    feed.viewers.get(viewerId)?.peer.close('DELETE by the viewer');
  }

  private async feedFor(ticket: WhepTicket): Promise<Feed> {
    const existing = this.feeds.get(ticket.sessionId);
    if (existing && !existing.isClosed) return existing;
    const feed = new Feed(ticket, this.settings, this.log.child({ sessionId: ticket.sessionId }));
    this.feeds.set(ticket.sessionId, feed);
    void feed.ended.then(() => this.feeds.get(ticket.sessionId) === feed && this.feeds.delete(ticket.sessionId));
    await feed.start();
    return feed;
  }

  stopAll(why: string): void {
    for (const feed of this.feeds.values()) feed.stop(why);
  }
}
