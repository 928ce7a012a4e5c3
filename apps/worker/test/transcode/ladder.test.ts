import HLS from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { buildLadderArgs, UNTUNED_LADDER } from '../../src/transcode/ffmpeg-args.js';
import { planLadder, unsupportedSource } from '../../src/transcode/ladder.js';
import { LivePlaylist, renderMaster, sealedPlaylist } from '../../src/transcode/playlists.js';

const all = ['1080p', '720p', '480p', '360p', '240p'];
const src720 = { hasVideo: true, hasAudio: true, width: 1280, height: 720, fps: 30, videoCodec: 'h264', audioCodec: 'aac' };

describe('planLadder', () => {
  it('never upscales: a 720p source gets 720p and below', () => {
    expect(planLadder(src720, all).map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual(['720p 1280x720', '480p 854x480', '360p 640x360', '240p 426x240']);
  });
  it('honours the requested renditions', () => {
    expect(planLadder(src720, ['1080p', '360p']).map((r) => r.name)).toEqual(['360p']);
  });
  it('keeps a portrait source portrait', () => {
    expect(planLadder({ ...src720, width: 720, height: 1280 }, ['720p']).map((r) => `${r.width}x${r.height}`)).toEqual(['406x720']);
  });
  it('gives a source smaller than every rung one rendition at its own size', () => {
    expect(planLadder({ ...src720, width: 320, height: 180 }, all)).toMatchObject([{ name: '180p', width: 320, height: 180 }]);
  });
  it('has no video rungs for audio-only', () => {
    expect(planLadder({ hasVideo: false, hasAudio: true, audioCodec: 'aac' }, all)).toEqual([]);
  });
});

describe('unsupportedSource', () => {
  it('accepts H.264 with AAC or MP3, refuses the rest with a reason an operator can act on', () => {
    expect(unsupportedSource(src720)).toBeUndefined();
    expect(unsupportedSource({ ...src720, audioCodec: 'mp3' })).toBeUndefined();
    expect(unsupportedSource({ ...src720, videoCodec: 'h263', audioCodec: 'speex' })).toBe(
      'Unsupported video codec h263 and audio codec speex: send H.264 video with AAC or MP3 audio',
    );
  });
});

describe('buildLadderArgs', () => {
  it('builds one decode, a cascade of scales, keyframes on segment boundaries, audio copied', () => {
    const rungs = planLadder(src720, ['720p', '240p']);
    const args = buildLadderArgs({ input: 'pipe:0', source: src720, rungs, segmentSeconds: 4, outputDir: '/out', runTag: 'r1' });
    // 720p keeps ffmpeg's encoder threads; smaller rungs get one (LADDER_TUNING).
    const x264 = (i: number, level: string, rate: number, threads: string[]) => [
      `-c:v:${i}`, 'libx264', `-preset:v:${i}`, 'superfast', ...threads, `-tune:v:${i}`, 'zerolatency', `-profile:v:${i}`, 'high', `-level:v:${i}`, level,
      `-pix_fmt:v:${i}`, 'yuv420p', `-b:v:${i}`, String(rate), `-maxrate:v:${i}`, String(Math.round(rate * 1.1)), `-bufsize:v:${i}`, String(Math.round(rate * 1.5)),
      `-sc_threshold:v:${i}`, '0', `-g:v:${i}`, '120', `-keyint_min:v:${i}`, '120', `-force_key_frames:v:${i}`, 'expr:gte(t,n_forced*4)',
    ];
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-loglevel', 'info', '-progress', 'pipe:1', '-stats_period', '2', '-f', 'flv',
      '-threads', '1', '-filter_complex_threads', '1',
      '-i', 'pipe:0',
      '-filter_complex', '[0:v:0]scale=1280:720:flags=bicubic,setsar=1,split=2[v0][c0];[c0]scale=426:240:flags=bicubic,setsar=1[v1]',
      '-map', '[v0]', '-map', '0:a:0', '-map', '[v1]', '-map', '0:a:0',
      ...x264(0, '3.1', 3_000_000, []),
      ...x264(1, '2.1', 400_000, ['-threads:v:1', '1']),
      '-c:a', 'copy',
      '-f', 'hls', '-hls_time', '4', '-hls_list_size', '120', '-hls_flags', 'independent_segments+temp_file', '-hls_segment_type', 'mpegts',
      '-hls_segment_filename', '/out/%v/r1_%05d.ts', '-var_stream_map', 'v:0,a:0,name:720p v:1,a:1,name:240p', '/out/%v/index.m3u8',
    ]);
  });

  it('scales every rung from the source and keeps ffmpeg\'s threads and veryfast without the tuning', () => {
    const rungs = planLadder(src720, ['720p', '240p']);
    const args = buildLadderArgs({ input: 'in', source: src720, rungs, segmentSeconds: 4, outputDir: '/o', runTag: 'x', tuning: UNTUNED_LADDER });
    expect(args[args.indexOf('-filter_complex') + 1]).toBe('[0:v:0]split=2[s0][s1];[s0]scale=1280:720:flags=bicubic,setsar=1[v0];[s1]scale=426:240:flags=bicubic,setsar=1[v1]');
    expect(args).not.toContain('-threads');
    expect(args).toEqual(expect.arrayContaining(['-preset:v:1', 'veryfast']));
  });

  it('keeps ffmpeg\'s decoder threads for sources above 720p (a 1080p ladder on one thread falls behind)', () => {
    const src1080 = { ...src720, width: 1920, height: 1080 };
    const args = buildLadderArgs({ input: 'in', source: src1080, rungs: planLadder(src1080, ['1080p', '720p', '360p']), segmentSeconds: 2, outputDir: '/o', runTag: 'x' });
    expect(args.slice(0, args.indexOf('-i'))).not.toContain('-threads');
    expect(args).not.toContain('-threads:v:0');
    expect(args).not.toContain('-threads:v:1');
    expect(args).toEqual(expect.arrayContaining(['-threads:v:2', '1']));
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:v:0]scale=1920:1080:flags=bicubic,setsar=1,split=2[v0][c0];[c0]scale=1280:720:flags=bicubic,setsar=1,split=2[v1][c1];[c1]scale=640:360:flags=bicubic,setsar=1[v2]',
    );
  });

  it('copies the source as the top rung when its keyframes allow, and cuts the others at its keyframes', () => {
    const source = { ...src720, keyframeIntervalSeconds: 2, videoCodecString: 'avc1.42c01f', bitrateKbps: 2628 };
    const rungs = planLadder(source, ['720p', '360p'], 4);
    expect(rungs[0]).toMatchObject({ name: '720p', copy: { codecs: 'avc1.42c01f' }, videoBitrate: 2_500_000 });
    const args = buildLadderArgs({ input: 'in', source, rungs, segmentSeconds: 4, outputDir: '/o', runTag: 'x' });
    expect(args.join(' ')).toContain('-filter_complex [0:v:0]scale=640:360:flags=bicubic,setsar=1[v1] -map 0:v:0 -map 0:a:0 -map [v1] -map 0:a:0 -c:v:0 copy -c:v:1 libx264');
    expect(args.join(' ')).toContain('-force_key_frames:v:1 source');
    // Keyframes further apart than a segment, or low latency's 1 s segments: every rung is encoded.
    expect(planLadder({ ...source, keyframeIntervalSeconds: 5 }, ['720p'], 4)[0]!.copy).toBeUndefined();
    expect(planLadder(source, ['720p'], 1)[0]!.copy).toBeUndefined();
    // A browser publishing over WHIP: keyframes only when asked, so every rung is encoded.
    expect(planLadder({ ...source, protocol: 'whip' }, ['720p'], 4)[0]!.copy).toBeUndefined();
    expect(planLadder({ ...source, protocol: 'srt' }, ['720p'], 4)[0]!.copy).toBeDefined();
  });

  it('takes the live thumbnail from the lowest rung, as a second output', () => {
    const rungs = planLadder(src720, ['720p', '240p']);
    const args = buildLadderArgs({ input: 'in', source: src720, rungs, segmentSeconds: 4, outputDir: '/o', runTag: 'x', thumbnail: { file: '/o/t.jpg', everySeconds: 10, height: 240 } });
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:v:0]scale=1280:720:flags=bicubic,setsar=1,split=2[v0][c0];[c0]scale=426:240:flags=bicubic,setsar=1,split=2[v1][t];[t]fps=1/10[thumb]',
    );
    expect(args.slice(-12)).toEqual(['/o/%v/index.m3u8', '-map', '[thumb]', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2', '-update', '1', '/o/t.jpg']);
  });

  it('re-encodes non-AAC audio and maps audio alone for an audio-only source', () => {
    const source = { hasVideo: false, hasAudio: true, audioCodec: 'mp3' };
    const args = buildLadderArgs({ input: 'in', source, rungs: [], segmentSeconds: 1, outputDir: '/o', runTag: 'x' });
    expect(args).toEqual(expect.arrayContaining(['-map', '0:a:0', '-c:a', 'aac', '-var_stream_map', 'a:0,name:audio']));
    expect(args).not.toContain('-filter_complex');
  });
});

describe('playlists', () => {
  it('the master lists each rendition with bandwidth, resolution, frame rate and codecs', () => {
    const master = HLS.parse(renderMaster(planLadder(src720, all), true, 30));
    if (!master.isMasterPlaylist) throw new Error('not a master');
    expect(master.variants[0]).toMatchObject({ uri: '720p/index.m3u8', bandwidth: 3_428_000, averageBandwidth: 3_128_000, resolution: { width: 1280, height: 720 }, frameRate: 30, codecs: 'avc1.64001f,mp4a.40.2' });
  });

  it('slides its window, and continues a previous run after a discontinuity', () => {
    const a = new LivePlaylist(4, 3);
    for (let i = 0; i < 5; i++) a.append(`a_${i}.ts`, 4);
    const first = HLS.parse(a.render()) as HLS.types.MediaPlaylist;
    expect(first.mediaSequenceBase).toBe(2);
    expect(first.segments.map((s) => s.uri)).toEqual(['a_2.ts', 'a_3.ts', 'a_4.ts']);

    const b = new LivePlaylist(4, 3);
    b.resumeFrom(a.render());
    b.append('b_0.ts', 4);
    const resumed = HLS.parse(b.render()) as HLS.types.MediaPlaylist;
    expect(resumed.mediaSequenceBase).toBe(3);
    expect(resumed.segments.map((s) => [s.uri, Boolean(s.discontinuity)])).toEqual([['a_3.ts', false], ['a_4.ts', false], ['b_0.ts', true]]);

    for (let i = 1; i < 4; i++) b.append(`b_${i}.ts`, 4);
    const after = HLS.parse(b.render()) as HLS.types.MediaPlaylist;
    // The discontinuity left the window: the discontinuity sequence counts it.
    expect(after.discontinuitySequenceBase).toBe(1);
  });

  it('a 29.97 fps source with 1 s keyframes keeps TARGETDURATION:1 (EXTINF rounded, RFC 8216 §4.3.3.1)', () => {
    const p = new LivePlaylist(1, 8);
    for (let i = 0; i < 4; i++) p.append(`s_${i}.ts`, 1.001);
    const text = p.render();
    expect(text).toContain('#EXT-X-TARGETDURATION:1\n');
    expect(text).toContain('#EXTINF:1.001,');
    // A longer segment still raises the target to what it rounds to.
    p.append('long.ts', 2.6);
    expect(p.render()).toContain('#EXT-X-TARGETDURATION:3\n');
  });

  it('every playlist ends with a line feed; an ended one carries EXT-X-ENDLIST, a live one does not', () => {
    const p = new LivePlaylist(4, 3);
    p.append('a.ts', 4);
    const live = p.render();
    const ended = p.render({ endlist: true });
    expect(live.endsWith('\n')).toBe(true);
    expect(live).not.toContain('#EXT-X-ENDLIST');
    expect(ended.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    expect(renderMaster(planLadder(src720, all), true, 30).endsWith('\n')).toBe(true);
    // Sealing what a finished run left behind: once only.
    const sealed = sealedPlaylist(live)!;
    expect(sealed).toBe(ended);
    expect(sealedPlaylist(sealed)).toBeUndefined();
  });
});

describe('LL-HLS parts', () => {
  it('cuts a third of a second, aligned with where keyframes are forced or where the copied source has them', async () => {
    const { llPartSeconds } = await import('../../src/transcode/ladder.js');
    expect(llPartSeconds('standard')).toBeUndefined();
    expect(llPartSeconds('low')).toBe(0.333333);
    expect(llPartSeconds('low', 1.001)).toBe(0.333666); // 29.97 fps, 30-frame GOP, copied
    expect(llPartSeconds('low', 0.5)).toBe(0.25);
    const args = buildLadderArgs({ input: 'in', source: { hasVideo: true, hasAudio: true, width: 1280, height: 720, fps: 30, videoCodec: 'h264', audioCodec: 'aac' }, rungs: planLadder({ hasVideo: true, hasAudio: true, width: 1280, height: 720, fps: 30 }, ['720p', '240p']), segmentSeconds: 1, partSeconds: 0.333333, outputDir: '/o', runTag: 'x' });
    const joined = args.join(' ');
    // ffmpeg's part threshold and the forced keyframes are the same instants (3 × 333333 µs).
    expect(joined).toContain('-hls_time 0.333333');
    expect(joined).toContain('-force_key_frames:v:0 expr:gte(t,n_forced*0.999999)');
    expect(joined).toContain('-hls_segment_type fmp4 -hls_fmp4_init_filename init_x_%v.mp4');
    expect(joined).toContain('independent_segments+temp_file+split_by_time');
  });
});
