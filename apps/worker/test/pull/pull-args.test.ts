// The ffmpeg command of a pull, exactly: per source kind, what it reads and that it writes FLV to stdout.
import { describe, expect, it } from 'vitest';
import { buildPullArgs } from '../../src/pull/pull-args.js';
import { secretsOf, redact } from '@airwave/ffmpeg';

const OUT = ['-map', '0:v:0?', '-map', '0:a:0?', '-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2', '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1'];
const HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:2', '-stats_period', '1'];

describe('pull ffmpeg arguments', () => {
  it('RTSP cameras over TCP, with a 10 s read timeout', () => {
    expect(buildPullArgs('rtsp://admin:pw@cam.example.com:554/stream1')).toEqual([...HEAD, '-rtsp_transport', 'tcp', '-timeout', '10000000', '-i', 'rtsp://admin:pw@cam.example.com:554/stream1', ...OUT]);
  });

  it('HLS from its live edge; RTMP with a read timeout; SRT as it is', () => {
    expect(buildPullArgs('https://cdn.example.com/live/index.m3u8')).toEqual([...HEAD, '-live_start_index', '-1', '-rw_timeout', '10000000', '-i', 'https://cdn.example.com/live/index.m3u8', ...OUT]);
    expect(buildPullArgs('rtmp://origin.example.com/live/abc')).toEqual([...HEAD, '-rw_timeout', '10000000', '-i', 'rtmp://origin.example.com/live/abc', ...OUT]);
    expect(buildPullArgs('srt://origin.example.com:9000?streamid=x')).toEqual([...HEAD, '-i', 'srt://origin.example.com:9000?streamid=x', ...OUT]);
  });

  it('the source password never reaches a log line', () => {
    const secrets = secretsOf(buildPullArgs('rtsp://admin:s3cr%40t@cam.example.com/live'));
    expect(redact("[rtsp @ 0x1] method DESCRIBE failed for rtsp://admin:s3cr%40t@cam.example.com/live (s3cr@t)", secrets)).toBe('[rtsp @ 0x1] method DESCRIBE failed for rtsp://admin:***@cam.example.com/live (***)');
  });
});
