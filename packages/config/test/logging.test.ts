import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import build from 'pino-pretty';
import { ConfigError, loadConfig, loggerOptions } from '../src/index.js';

describe('LOG_FORMAT', () => {
  it('is JSON unless asked, pretty when asked, and refuses anything else naming the variable', () => {
    expect(loadConfig({}).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(loggerOptions({ logLevel: 'info', logFormat: 'json' }, { service: 'api' })).toEqual({ level: 'info', base: { service: 'api' } });
  });

  it('pretty prints one readable line per event, with its fields on that line', async () => {
    const options = loggerOptions({ logLevel: 'info', logFormat: 'pretty' }, { service: 'worker' });
    // The same pino-pretty options, in this thread (the apps run it in pino's transport thread).
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const log = pino(
      { level: options.level, base: options.base, errorKey: options.errorKey },
      build({ ...options.transport!.options, colorize: false, destination: out }),
    );
    log.info({ sessionId: 'se_1' }, 'ffmpeg started');
    log.warn({ err: 'connection refused' }, 'reporting the start failed; retrying');
    await new Promise((r) => setTimeout(r, 50));
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: ffmpeg started \{"sessionId":"se_1"\}$/);
    expect(lines[1]).toContain('WARN: reporting the start failed; retrying {"err":"connection refused"}');
    expect(text).not.toContain('"service"');
  });
});
