// The edge's pure parts: the feed's ffmpeg arguments (golden), WHEP tickets, choosing an edge.
import { pickEdge, signWhepTicket, verifyWhepTicket, type EdgeLoad } from '@airwave/jobs';
import { describe, expect, it } from 'vitest';
import { buildFeedArgs } from '../src/feed-args.js';

describe('feed arguments', () => {
  it('copies H.264 without B-frames (SPS/PPS in-band) and makes Opus', () => {
    expect(buildFeedArgs({ video: true, audio: true, reencode: false, videoPort: 5000, audioPort: 5002 }).join(' ')).toBe(
      '-hide_banner -nostdin -loglevel error -fflags +nobuffer+genpts -flags low_delay -f flv -i pipe:0 ' +
        '-map 0:v:0 -c:v copy -bsf:v h264_mp4toannexb -f rtp -payload_type 96 rtp://127.0.0.1:5000?pkt_size=1200&rtcpport=5000 ' +
        '-map 0:a:0 -c:a libopus -b:a 96000 -ar 48000 -ac 2 -application lowdelay -f rtp -payload_type 111 rtp://127.0.0.1:5002?pkt_size=1200&rtcpport=5002',
    );
  });
  it('re-encodes without B-frames, a keyframe every second, at the source bitrate', () => {
    const args = buildFeedArgs({ video: true, audio: false, reencode: true, fps: 25, videoBitrate: 3_000_000, videoPort: 5000, audioPort: 5002 }).join(' ');
    expect(args).toContain('-c:v libx264 -preset veryfast -tune zerolatency -profile:v baseline');
    expect(args).toContain('-b:v 3000000');
    expect(args).toContain('-g 25 -keyint_min 25 -sc_threshold 0');
    expect(args).not.toContain('libopus');
  });
});

describe('WHEP tickets', () => {
  const claims = { playbackId: 'p'.repeat(32), sessionId: 'lss_x', ingestAddress: 'rtmp://127.0.0.1:1935/live', video: true, audio: true, bFrames: false };
  it('round-trips and refuses forgeries and expired tickets', () => {
    const t = signWhepTicket('internal-token-123456', claims);
    expect(verifyWhepTicket('internal-token-123456', t)).toMatchObject(claims);
    expect(verifyWhepTicket('another-token-1234567', t)).toBeUndefined();
    expect(verifyWhepTicket('internal-token-123456', `${t.slice(0, 40)}${t[40] === 'A' ? 'B' : 'A'}${t.slice(41)}`)).toBeUndefined();
    expect(Buffer.from(t, 'base64url').toString('latin1')).not.toContain('rtmp://'); // sealed: the viewer cannot read the ingest address
    expect(verifyWhepTicket('internal-token-123456', t, Date.now() + 60_000)).toBeUndefined();
  });
});

describe('pickEdge', () => {
  const edge = (id: string, viewers: number, sessions: string[] = []): EdgeLoad => ({
    id,
    url: `http://${id}`,
    viewers,
    maxViewers: 10,
    sessions,
    at: Date.now(),
  });
  it('prefers an edge already carrying the stream, else the one with the most room; none when all are full', () => {
    expect(pickEdge([edge('a', 2), edge('b', 5, ['s1'])], 's1')?.id).toBe('b');
    expect(pickEdge([edge('a', 2), edge('b', 5, ['s1'])], 's2')?.id).toBe('a');
    expect(pickEdge([edge('a', 10), edge('b', 10, ['s1'])], 's1')).toBeUndefined();
  });
});
