// ffmpeg echoes URLs on stderr; what the worker keeps of it (logs, session errors, simulcast
// lastError) must not carry stream keys or tokens.
import { describe, expect, it } from 'vitest';
import { redact, secretsOf } from '../src/process.js';

describe('ffmpeg stderr redaction', () => {
  it('cuts stream keys and tokens of every URL argument to a prefix', () => {
    const args = ['-i', 'rtmp://10.0.0.5:1935/live/aw_live_abcdefghijklmnopqrstuvwxyz?token=0123456789abcdef0123', '-f', 'flv', 'rtmps://live.example.com/app/yt-secret-key-123456789', '-y', 'out.m3u8'];
    const secrets = secretsOf(args);
    expect(secrets).toEqual(['aw_live_abcdefghijklmnopqrstuvwxyz', '0123456789abcdef0123', 'yt-secret-key-123456789']);
    const line = "Input #0, flv, from 'rtmp://10.0.0.5:1935/live/aw_live_abcdefghijklmnopqrstuvwxyz?token=0123456789abcdef0123': rtmps://live.example.com/app/yt-secret-key-123456789: I/O error";
    const safe = redact(line, secrets);
    for (const s of secrets) expect(safe).not.toContain(s);
    expect(safe).toContain('aw_live_…');
    expect(safe).toContain('I/O error');
  });
});
