// What a WHIP/WHEP client is told before any media flows: offer checks, ICE server links, the
// announced address; and where a keyframe starts in H.264 RTP.
import { describe, expect, it } from 'vitest';
import { announceAddress, iceServerLinks, inspectOffer, OfferError, parseIceServers, startsKeyframe } from '../src/index.js';

const offer = (media: string[]) =>
  [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=fingerprint:sha-256 AA:BB',
    ...media,
    '',
  ].join('\r\n');
const video = (codec: string, dir = 'recvonly') => [`m=video 9 UDP/TLS/RTP/SAVPF 96`, 'c=IN IP4 0.0.0.0', `a=${dir}`, `a=rtpmap:96 ${codec}/90000`];
const audio = (dir = 'recvonly') => ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', `a=${dir}`, 'a=rtpmap:111 opus/48000/2'];

describe('inspectOffer', () => {
  it('accepts a browser-like WHEP offer and says what it can receive', () => {
    expect(inspectOffer(offer([...video('H264'), ...audio()]), { video: true, audio: false, direction: 'send' })).toEqual({ video: true, audio: true });
  });
  it('names what is missing', () => {
    expect(() => inspectOffer(offer(video('VP8')), { video: true, audio: false, direction: 'send' })).toThrow('does not receive H.264 video');
    expect(() => inspectOffer(offer(video('H264', 'recvonly')), { video: true, audio: true, direction: 'recv' })).toThrow(
      'does not send H.264 video or Opus audio',
    );
    expect(() => inspectOffer('hello', { video: true, audio: false, direction: 'send' })).toThrow(OfferError);
    expect(() => inspectOffer(offer([]), { video: true, audio: false, direction: 'send' })).toThrow('no media sections');
    expect(() => inspectOffer(offer(video('H264')).replace(/a=fingerprint.*\r\n/, ''), { video: true, audio: false, direction: 'send' })).toThrow(
      'fingerprint',
    );
  });
});

describe('ICE configuration', () => {
  it('parses JSON and plain URL lists, and advertises them as Link headers', () => {
    const servers = parseIceServers('[{"urls":"turn:turn.example.com:3478","username":"u","credential":"p"}]');
    expect(iceServerLinks(servers)).toEqual(['<turn:turn.example.com:3478>; rel="ice-server"; username="u"; credential="p"; credential-type="password"']);
    expect(iceServerLinks(parseIceServers('stun:stun.example.com:3478'))).toEqual(['<stun:stun.example.com:3478>; rel="ice-server"']);
    expect(parseIceServers('')).toEqual([]);
    expect(() => parseIceServers('http://nope')).toThrow('not a stun: or turn: URL');
  });
  it('announces the public address in host candidates', () => {
    const sdp = ['a=candidate:1 1 udp 2130706431 10.0.0.5 40001 typ host', 'a=candidate:2 1 udp 2130706431 fe80::1 40001 typ host', 'a=end-of-candidates'].join(
      '\r\n',
    );
    expect(announceAddress(sdp, '203.0.113.7')).toBe(['a=candidate:1 1 udp 2130706431 203.0.113.7 40001 typ host', 'a=end-of-candidates'].join('\r\n'));
    expect(announceAddress(sdp, undefined)).toBe(sdp);
  });
});

describe('startsKeyframe', () => {
  it('finds SPS/IDR alone, in STAP-A and at the start of FU-A', () => {
    expect(startsKeyframe(Buffer.from([0x67, 0x42]))).toBe(true); // SPS
    expect(startsKeyframe(Buffer.from([0x65, 0x88]))).toBe(true); // IDR slice
    expect(startsKeyframe(Buffer.from([0x41, 0x9a]))).toBe(false); // P slice
    expect(startsKeyframe(Buffer.from([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce]))).toBe(true); // STAP-A with SPS
    expect(startsKeyframe(Buffer.from([0x7c, 0x85, 0x00]))).toBe(true); // FU-A start of IDR
    expect(startsKeyframe(Buffer.from([0x7c, 0x05, 0x00]))).toBe(false); // FU-A middle of IDR
    expect(startsKeyframe(Buffer.from([0x7c, 0x81, 0x00]))).toBe(false); // FU-A start of P
  });
});
