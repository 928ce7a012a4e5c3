// The media layer behind a small interface of ours: a viewer peer we send RTP to (WHEP) and a
// publisher peer we receive RTP from (WHIP). werift (pure TypeScript) implements it here; a native
// SFU could implement the same two calls where one is available.
import { RTCPeerConnection, RTCRtpCodecParameters, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { announceAddress, type WebRtcNetwork } from './network.js';

export type MediaKind = 'video' | 'audio';

export interface Peer {
  /** The SDP answer (all candidates gathered: WHIP/WHEP clients need not trickle). */
  readonly answer: string;
  /** Resolves once, with why the peer ended: closed by us, ICE consent lost, DTLS failure. */
  readonly ended: Promise<string>;
  close(why?: string): void;
}

export interface ViewerPeer extends Peer {
  /** Whether media can flow now (ICE and DTLS connected). */
  readonly connected: boolean;
  send(kind: MediaKind, packet: RtpPacket): void;
  /** Called when the viewer asks for a keyframe (PLI/FIR): a decoder that lost its reference. */
  onKeyframeRequest(cb: () => void): void;
}

export interface PublisherPeer extends Peer {
  readonly kinds: MediaKind[];
  /** Every RTP packet the publisher sends, with the payload type we told ffmpeg (96 video, 111 audio). */
  onRtp(cb: (kind: MediaKind, packet: RtpPacket) => void): void;
  requestKeyframe(): void;
}

export interface MediaEngine {
  answerViewer(offer: string, kinds: { video: boolean; audio: boolean }): Promise<ViewerPeer>;
  answerPublisher(offer: string, kinds: { video: boolean; audio: boolean }): Promise<PublisherPeer>;
}

/** What we negotiate: H.264 constrained baseline/main/high as the browser offers it, Opus stereo. */
export const VIDEO_PAYLOAD_TYPE = 96;
export const AUDIO_PAYLOAD_TYPE = 111;

const h264 = (profile: string) =>
  new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90000,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }],
    parameters: `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${profile}`,
  });
const opus = () => new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: 'minptime=10;useinbandfec=1' });

const GATHER_TIMEOUT_MS = 5000;
/**
 * A browser sends receiver reports about every second. Silence this long means the viewer is gone
 * (a closed tab sends no DELETE): sooner than ICE consent's 30 s, so a dead viewer stops costing.
 */
const VIEWER_SILENCE_MS = 12_000;

export function weriftEngine(network: WebRtcNetwork): MediaEngine {
  const makePc = () =>
    new RTCPeerConnection({
      // Decoders handle every profile the ladder's copy path can carry; the browser picks from its offer.
      codecs: { video: [h264('42e01f'), h264('4d001f'), h264('640032')], audio: [opus()] },
      iceServers: network.iceServers,
      icePortRange: network.portRange,
      iceUseIpv6: false,
    });

  async function negotiate(pc: RTCPeerConnection, offer: string): Promise<string> {
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
        pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && (clearTimeout(timer), resolve()));
      });
    }
    return announceAddress(pc.localDescription!.sdp, network.publicIp);
  }

  /** werift does not close a failed connection by itself: a dead viewer would keep costing CPU. */
  function lifecycle(pc: RTCPeerConnection) {
    let finish!: (why: string) => void;
    const ended = new Promise<string>((resolve) => (finish = resolve));
    let done = false;
    const close = (why = 'closed') => {
      if (done) return;
      done = true;
      finish(why);
      void pc.close().catch(() => {});
    };
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed') close('the connection failed (ICE consent or DTLS)');
      if (state === 'closed') close('closed');
    });
    return { ended, close };
  }

  /** The peer's lifecycle and its answer to the offer; a failed negotiation closes it. */
  async function open(pc: RTCPeerConnection, offer: string) {
    const { ended, close } = lifecycle(pc);
    try {
      return { ended, close, answer: await negotiate(pc, offer) };
    } catch (err) {
      close('negotiation failed');
      throw err;
    }
  }

  return {
    async answerViewer(offer, kinds) {
      const pc = makePc();
      const senders = new Map<MediaKind, RTCRtpTransceiver>();
      for (const kind of ['video', 'audio'] as const) if (kinds[kind]) senders.set(kind, pc.addTransceiver(kind, { direction: 'sendonly' }));
      const { ended, close, answer } = await open(pc, offer);
      const keyframeCallbacks: (() => void)[] = [];
      let heardAt = Date.now();
      for (const t of senders.values()) t.sender.onRtcp.subscribe(() => (heardAt = Date.now()));
      const watchdog = setInterval(() => {
        if (Date.now() - heardAt > VIEWER_SILENCE_MS)
          close(pc.connectionState === 'connected' ? 'the viewer went silent (no RTCP)' : 'the viewer never connected');
      }, 2000);
      watchdog.unref();
      void ended.then(() => clearInterval(watchdog));
      senders.get('video')?.sender.onRtcp.subscribe((rtcp) => {
        // Payload-specific feedback: PLI (1) or FIR (4).
        if (rtcp.type === 206 && [1, 4].includes((rtcp as unknown as { feedback: { count: number } }).feedback?.count)) {
          for (const cb of keyframeCallbacks) cb();
        }
      });
      return {
        answer,
        ended,
        close,
        get connected() {
          return pc.connectionState === 'connected';
        },
        send(kind, packet) {
          const t = senders.get(kind);
          if (t && pc.connectionState === 'connected') void t.sender.sendRtp(packet).catch(() => {});
        },
        onKeyframeRequest(cb) {
          keyframeCallbacks.push(cb);
        },
      };
    },

    async answerPublisher(offer, kinds) {
      const pc = makePc();
      const receivers = new Map<MediaKind, RTCRtpTransceiver>();
      for (const kind of ['video', 'audio'] as const) if (kinds[kind]) receivers.set(kind, pc.addTransceiver(kind, { direction: 'recvonly' }));
      const rtpCallbacks: ((kind: MediaKind, p: RtpPacket) => void)[] = [];
      let videoSsrc: number | undefined;
      // Tracks appear while the offer is applied: listen before negotiating.
      for (const [kind, t] of receivers) {
        t.onTrack.subscribe((track) => {
          if (kind === 'video') videoSsrc = track.ssrc;
          track.onReceiveRtp.subscribe((rtp) => {
            const p = rtp.clone();
            p.header.payloadType = kind === 'video' ? VIDEO_PAYLOAD_TYPE : AUDIO_PAYLOAD_TYPE;
            p.header.extension = false;
            p.header.extensions = [];
            for (const cb of rtpCallbacks) cb(kind, p);
          });
        });
      }
      const { ended, close, answer } = await open(pc, offer);
      return {
        answer,
        ended,
        close,
        kinds: [...receivers.keys()],
        onRtp(cb) {
          rtpCallbacks.push(cb);
        },
        requestKeyframe() {
          const t = receivers.get('video');
          if (t && videoSsrc !== undefined) void t.receiver.sendRtcpPLI(videoSsrc).catch(() => {});
        },
      };
    },
  };
}

export { RtpPacket };
