// Storyboard planning: at most 100 tiles, a tile's cue and place in the sprite, the ffmpeg command.
import { describe, expect, it } from 'vitest';
import { storyboardArgs, storyboardPlan, storyboardVtt } from '../../src/transcode/storyboard.js';

describe('storyboards', () => {
  it('a 4-hour asset: 100 tiles 144 s apart on a 10×10 sheet, from keyframes only', () => {
    const plan = storyboardPlan(14_400, { width: 426, height: 240 });
    expect(plan).toEqual({ interval: 144, tiles: 100, columns: 10, rows: 10, tileWidth: 160, tileHeight: 90 });
    expect(storyboardArgs('low.m3u8', plan, 'out.jpg', ['-protocol_whitelist', 'file,http'])).toEqual([
      '-skip_frame', 'nokey', '-protocol_whitelist', 'file,http', '-i', 'low.m3u8', '-an',
      '-vf', 'fps=1/144:round=down,scale=160:90,tile=10x10', '-frames:v', '1', '-q:v', '5', 'out.jpg',
    ]);
  });

  it('a 37.5 s clip: a tile a second (every frame decoded), 38 tiles on four rows, cues end at the end', () => {
    const plan = storyboardPlan(37.5, { width: 640, height: 360 });
    expect(plan).toMatchObject({ interval: 1, tiles: 38, columns: 10, rows: 4, tileHeight: 90 });
    expect(storyboardArgs('low.m3u8', plan, 'out.jpg')[0]).toBe('-i');
    const vtt = storyboardVtt(plan, 37.5, 'storyboard.jpg');
    const lines = vtt.split('\n');
    expect(lines.slice(0, 5)).toEqual(['WEBVTT', '', '00:00:00.000 --> 00:00:01.000', 'storyboard.jpg#xywh=0,0,160,90', '']);
    // Tile 11 (index 10) starts the second row.
    expect(vtt).toContain('00:00:10.000 --> 00:00:11.000\nstoryboard.jpg#xywh=0,90,160,90');
    expect(lines.at(-3)).toBe('00:00:37.000 --> 00:00:37.500');
    expect(lines.at(-2)).toBe('storyboard.jpg#xywh=1120,270,160,90');
  });

  it('hours are written as hours', () => {
    const plan = storyboardPlan(7_300, { width: 1280, height: 720 });
    expect(storyboardVtt(plan, 7_300, 's.jpg')).toContain('00:59:37.000 --> 01:00:50.000');
  });
});
