// Pull sources: which URLs can be pulled, how they are shown, and the key a worker publishes them with.
import { describe, expect, it } from 'vitest';
import { maskPullUrl, pullUrlProblem, signPullPublishKey, verifyPullPublishKey, displayPrefix } from '../src/index.js';

describe('pull sources', () => {
  it('accepts cameras, servers and HLS playlists; says why for the rest', () => {
    for (const ok of [
      'rtsp://cam/stream1',
      'rtsps://cam/s',
      'rtmp://origin/live/x',
      'rtmps://origin/live/x',
      'srt://origin:9000?streamid=a',
      'https://cdn/live/index.m3u8',
    ])
      expect(pullUrlProblem(ok), ok).toBeUndefined();
    expect(pullUrlProblem('ftp://x/y')).toMatch(/ftp cannot be pulled/);
    expect(pullUrlProblem('https://cdn/video.mp4')).toMatch(/HLS playlist/);
    expect(pullUrlProblem('rtsp//nope')).toBe('not a valid URL');
  });

  it('masks passwords and secret query values, keeps the rest', () => {
    expect(maskPullUrl('rtsp://admin:hunter2@10.0.0.5:554/Streaming/Channels/101')).toBe('rtsp://admin:***@10.0.0.5:554/Streaming/Channels/101');
    expect(maskPullUrl('srt://origin:9000?streamid=cam1&passphrase=longsecretphrase')).toBe('srt://origin:9000?streamid=cam1&passphrase=***');
    expect(maskPullUrl('rtmp://origin/live/abc')).toBe('rtmp://origin/live/abc');
  });

  it('a pull publish key names its stream, expires, and cannot be forged', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    const key = signPullPublishKey('internal-token-0123456789', 'ls_abc', 300, now);
    expect(verifyPullPublishKey('internal-token-0123456789', key, now + 60_000)).toBe('ls_abc');
    expect(verifyPullPublishKey('internal-token-0123456789', key, now + 301_000)).toBeUndefined();
    expect(verifyPullPublishKey('another-token-0123456789', key, now)).toBeUndefined();
    expect(verifyPullPublishKey('internal-token-0123456789', key.replace('ls_abc', 'ls_xyz'), now)).toBeUndefined();
    expect(verifyPullPublishKey('internal-token-0123456789', 'aw_live_abc', now)).toBeUndefined();
    expect(displayPrefix(key)).toMatch(/^aw_pull_.{4}…$/);
    // RTMP servers (node-media-server among them) take only these characters in a stream name.
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
