// WHIP ingest (RFC 9725): a browser or encoder POSTs an SDP offer with `Authorization: Bearer <stream
// key>`. The API is asked first (401 unknown key, 403 disabled, 409 already live: no session is
// created). An accepted publish is received by a werift peer, its RTP remuxed (H.264 copied, Opus to
// AAC) by an ffmpeg into FLV, and published into this node's own RTMP server under the key, exactly
// as the SRT bridge does: authorize, state machine, ladder, recording, stats, simulcast all apply.
import { type FfmpegRun, runFfmpeg, whipBridgeArgs, whipBridgeSdp } from '@airwave/ffmpeg';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { type AppError, ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError, UnauthorizedError } from '@airwave/common';
import { pushFlvToRtmp } from '@airwave/rtmp';
import { AUDIO_PAYLOAD_TYPE, inspectOffer, sdpBody, VIDEO_PAYLOAD_TYPE, type MediaEngine, type PublisherPeer } from '@airwave/webrtc';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { freeUdpPortPair } from './ports.js';

export interface WhipIngestOptions {
  engine: MediaEngine;
  ffmpegPath: string;
  /** rtmp://<this node>/live — the relay publishes `<rtmpBase>/<key>`. */
  rtmpBase: string;
  /** Where DELETE goes: the public WHIP URL (…/whip); sessions are `<publicUrl>/sessions/<id>`. */
  publicUrl: string;
  iceLinks: string[];
  precheck(streamKey: string): Promise<{ allow: boolean; reason?: string; latencyMode?: string }>;
  /** Tells the node's RTMP side that this key is a WHIP publish (its stats say so); the answer undoes it. */
  bridge(streamKey: string): () => void;
  log: Logger;
}

interface Publish {
  id: string;
  keyPrefix: string;
  peer: PublisherPeer;
  relay?: FfmpegRun;
  socket?: Socket;
  timer?: NodeJS.Timeout;
  unbridge?: () => void;
  closed: boolean;
}

/** What the API's refusal means to a WHIP client. */
function refusal(reason: string | undefined): AppError {
  switch (reason) {
    case 'disabled':
      return new ForbiddenError('stream_disabled', 'This live stream is disabled');
    case 'already_live':
      return new ConflictError('already_live', 'Another encoder is publishing to this stream');
    default:
      return new UnauthorizedError('Unknown stream key');
  }
}

const KEY = /^[A-Za-z0-9_-]{8,200}$/;

export class WhipIngest {
  private readonly publishes = new Map<string, Publish>();
  private accepting = true;

  constructor(private readonly o: WhipIngestOptions) {}

  get active(): number {
    return this.publishes.size;
  }

  routes(app: FastifyInstance): void {
    app.post('/whip', async (req, reply) => {
      if (!this.accepting) throw new ServiceUnavailableError('This ingest node is draining; publish again to be sent to another');
      const auth = req.headers.authorization ?? '';
      const key = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
      if (!key || !KEY.test(key)) {
        reply.header('www-authenticate', 'Bearer');
        throw new UnauthorizedError('Send the stream key as Authorization: Bearer <stream key>');
      }
      const offer = sdpBody(req.headers['content-type'], req.body);
      const kinds = inspectOffer(offer, { video: true, audio: false, direction: 'recv' });
      const answer = await this.o.precheck(key).catch((err: Error) => {
        throw new ServiceUnavailableError(`Could not reach the API to authorize the publish: ${err.message}`);
      });
      if (!answer.allow) {
        if (answer.reason !== 'already_live' && answer.reason !== 'disabled') reply.header('www-authenticate', 'Bearer error="invalid_token"');
        throw refusal(answer.reason);
      }
      const peer = await this.o.engine.answerPublisher(offer, kinds);
      const id = randomBytes(16).toString('base64url');
      const publish: Publish = { id, keyPrefix: `${key.slice(0, 12)}…`, peer, closed: false };
      this.publishes.set(id, publish);
      await this.startRelay(publish, key, kinds.audio, answer.latencyMode === 'low' ? 1 : 2);
      void peer.ended.then((why) => this.close(publish, why));
      for (const link of this.o.iceLinks) reply.header('link', link);
      this.o.log.info({ keyPrefix: publish.keyPrefix, ip: req.ip, audio: kinds.audio }, 'WHIP publish accepted');
      return reply.code(201).type('application/sdp').header('location', `${this.o.publicUrl}/sessions/${id}`).header('etag', `"${id.slice(0, 8)}"`).send(peer.answer);
    });

    app.delete<{ Params: { id: string } }>('/whip/sessions/:id', async (req, reply) => {
      const publish = this.publishes.get(req.params.id);
      if (!publish) throw new NotFoundError('WHIP session');
      this.close(publish, 'DELETE by the encoder');
      return reply.code(200).send();
    });

    app.patch('/whip/sessions/:id', async (_req, reply) =>
      reply.code(405).header('allow', 'DELETE, OPTIONS').type('application/json').send({ error: { code: 'method_not_allowed', message: 'Trickle ICE is not supported: every candidate is in the answer', details: [] } }),
    );
  }

  /**
   * ffmpeg reads the RTP we forward on loopback (described by an SDP on its stdin) and writes FLV to
   * stdout; this process publishes that into the node's RTMP server under the key (no key on a
   * command line). Keyframes are requested at the segment interval so the ladder can copy the source.
   */
  private async startRelay(p: Publish, key: string, audio: boolean, keyframeSeconds: number): Promise<void> {
    const [videoPort, audioPort] = [await freeUdpPortPair(), audio ? await freeUdpPortPair() : 0];
    const relay = runFfmpeg(this.o.ffmpegPath, whipBridgeArgs(audio), { stdin: true, stdout: 'media' });
    p.relay = relay;
    relay.stdin!.end(whipBridgeSdp({ videoPort, audioPort: audio ? audioPort : undefined, videoPayloadType: VIDEO_PAYLOAD_TYPE, audioPayloadType: AUDIO_PAYLOAD_TYPE }));
    void relay.exited.then((code) => this.close(p, code === 0 ? 'relay finished' : `relay ended (${code}): ${relay.stderrTail().trim().split('\n').at(-1) ?? ''}`));
    const socket = createSocket('udp4');
    p.socket = socket;
    socket.on('error', () => {});
    p.peer.onRtp((kind, packet) => {
      if (p.closed) return;
      if (kind === 'audio' && !audio) return;
      socket.send(packet.serialize(), kind === 'video' ? videoPort : audioPort, '127.0.0.1');
    });
    // A keyframe now (ffmpeg needs SPS/PPS to start) and then at every segment boundary.
    p.peer.requestKeyframe();
    p.timer = setInterval(() => p.peer.requestKeyframe(), keyframeSeconds * 1000);
    p.unbridge = this.o.bridge(key);
    const publish = pushFlvToRtmp(`${this.o.rtmpBase}/${key}`, relay.stdout!);
    void publish.done.then(({ ok, why }) => !ok && this.close(p, `publish ended: ${why}`));
  }

  private close(p: Publish, why: string): void {
    if (p.closed) return;
    p.closed = true;
    this.publishes.delete(p.id);
    clearInterval(p.timer);
    p.unbridge?.();
    p.peer.close(why);
    p.socket?.close();
    // Closing ffmpeg's input (the RTP stops) ends the FLV and the RTMP publish: "encoder gone".
    void p.relay?.stop(3000);
    this.o.log.info({ keyPrefix: p.keyPrefix, why }, 'WHIP publish closed');
  }

  stopAccepting(): void {
    this.accepting = false;
  }

  stop(): void {
    for (const p of [...this.publishes.values()]) this.close(p, 'ingest stopping');
  }
}
