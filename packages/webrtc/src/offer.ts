// What a WHIP or WHEP offer carries, checked before any peer is made: a malformed offer or one
// without a codec we need is a 400 that says what is missing.
import sdpTransform from 'sdp-transform';

export class OfferError extends Error {
  override name = 'OfferError';
}

export interface OfferSummary {
  video: boolean;
  audio: boolean;
}

const MAX_OFFER_BYTES = 64 * 1024;

/**
 * `need.video`: the offer must have a video section that can carry H.264 (in the direction wanted);
 * `need.audio`: an audio section with Opus. Sections of the other kinds are simply left unused.
 */
export function inspectOffer(sdp: string, need: { video: boolean; audio: boolean; direction: 'recv' | 'send' }): OfferSummary {
  if (sdp.length > MAX_OFFER_BYTES) throw new OfferError(`the offer is larger than ${MAX_OFFER_BYTES} bytes`);
  if (!sdp.startsWith('v=0')) throw new OfferError('the body is not an SDP offer (it must start with v=0)');
  let parsed: sdpTransform.SessionDescription;
  try {
    parsed = sdpTransform.parse(sdp);
  } catch {
    throw new OfferError('the SDP offer could not be parsed');
  }
  const media = parsed.media ?? [];
  if (media.length === 0) throw new OfferError('the SDP offer has no media sections');
  // Our side receives what the client sends, and the reverse.
  const wanted = need.direction === 'recv' ? ['sendonly', 'sendrecv'] : ['recvonly', 'sendrecv'];
  const usable = (kind: string, codec: string) =>
    media.some(
      (m) =>
        m.type === kind &&
        m.port !== 0 &&
        wanted.includes(m.direction ?? parsed.direction ?? 'sendrecv') &&
        (m.rtp ?? []).some((r) => r.codec.toLowerCase() === codec),
    );
  if (!media.some((m) => m.iceUfrag ?? parsed.iceUfrag)) throw new OfferError('the SDP offer has no ICE credentials (a=ice-ufrag)');
  if (!media.some((m) => m.fingerprint ?? parsed.fingerprint)) throw new OfferError('the SDP offer has no DTLS fingerprint (a=fingerprint)');
  const video = usable('video', 'h264');
  const audio = usable('audio', 'opus');
  const missing = [need.video && !video ? 'H.264 video' : '', need.audio && !audio ? 'Opus audio' : ''].filter(Boolean);
  if (missing.length > 0) {
    const verb = need.direction === 'recv' ? 'send' : 'receive';
    throw new OfferError(`the offer does not ${verb} ${missing.join(' or ')}`);
  }
  return { video, audio };
}
