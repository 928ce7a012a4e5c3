// Exact argv of every command in commands.ts: a change to what ffmpeg is asked to do shows here.
import { describe, expect, it } from 'vitest';
import { mp4RemuxArgs, oneShot, simulcastRelayArgs, srtBridgeArgs, vodThumbnailArgs, whipBridgeArgs, whipBridgeSdp } from '../src/commands.js';

const line = (args: string[]) => args.join(' ');

describe('ffmpeg command lines', () => {
  it('simulcast relay: FLV in on stdin, copied to FLV on stdout, progress on stderr', () => {
    expect(line(simulcastRelayArgs())).toBe(
      '-hide_banner -nostdin -loglevel error -progress pipe:2 -stats_period 1 -f flv -i pipe:0 -map 0 -c copy -f flv -flvflags no_duration_filesize pipe:1',
    );
  });

  it('SRT bridge: MPEG-TS in on stdin, every video and audio stream copied to FLV on stdout', () => {
    expect(line(srtBridgeArgs())).toBe(
      '-hide_banner -loglevel error -fflags +genpts -f mpegts -i pipe:0 -map 0:v? -map 0:a? -c copy -f flv -flvflags no_duration_filesize pipe:1',
    );
  });

  it('WHIP bridge: RTP described on stdin, H.264 copied, Opus to AAC', () => {
    expect(line(whipBridgeArgs(true))).toBe(
      '-hide_banner -loglevel error -protocol_whitelist pipe,udp,rtp -fflags +genpts -reorder_queue_size 64 -f sdp -i pipe:0 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -b:a 128k -ar 48000 -ac 2 -f flv -flvflags no_duration_filesize pipe:1',
    );
    expect(line(whipBridgeArgs(false))).toBe(
      '-hide_banner -loglevel error -protocol_whitelist pipe,udp,rtp -fflags +genpts -reorder_queue_size 64 -f sdp -i pipe:0 -map 0:v:0 -c:v copy -f flv -flvflags no_duration_filesize pipe:1',
    );
  });

  it('WHIP bridge SDP: loopback ports and payload types of what the peer negotiated', () => {
    expect(whipBridgeSdp({ videoPort: 40000, audioPort: 40002, videoPayloadType: 96, audioPayloadType: 111 })).toBe(
      'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=WHIP\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 40000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\nm=audio 40002 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n',
    );
    expect(whipBridgeSdp({ videoPort: 40000, videoPayloadType: 96, audioPayloadType: 111 })).not.toContain('m=audio');
  });

  it('VOD thumbnail: one frame 360 px high, seeking only when asked', () => {
    expect(line(vodThumbnailArgs('/w/top.m3u8', '/w/thumbnail.jpg', 2))).toBe(
      '-hide_banner -loglevel error -nostdin -y -ss 2 -protocol_whitelist file,http,https,tcp,tls,crypto -i /w/top.m3u8 -frames:v 1 -vf scale=-2:360 /w/thumbnail.jpg',
    );
    expect(line(vodThumbnailArgs('/w/top.m3u8', '/w/thumbnail.jpg'))).not.toContain('-ss');
  });

  it('MP4 remux: the top rendition copied, ADTS to MP4 audio, faststart', () => {
    expect(line(mp4RemuxArgs('/w/top.m3u8', '/w/recording.mp4'))).toBe(
      '-hide_banner -loglevel error -nostdin -y -protocol_whitelist file,http,https,tcp,tls,crypto -i /w/top.m3u8 -map 0 -c copy -bsf:a aac_adtstoasc -movflags +faststart /w/recording.mp4',
    );
  });

  it('one-shot jobs share the quiet, no-stdin, overwrite prefix', () => {
    expect(oneShot(['-i', 'a', 'b'])).toEqual(['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', 'a', 'b']);
  });
});
