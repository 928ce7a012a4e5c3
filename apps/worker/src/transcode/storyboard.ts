// Seek-bar previews: one sprite sheet of at most 100 tiles from the lowest rendition's frames (the
// ladder already scaled them: no second decode of the source), and a WebVTT file naming each tile
// (`storyboard.jpg#xywh=x,y,w,h`), the format hls.js-based players, video.js and JW Player read.

export const MAX_TILES = 100;
const COLUMNS = 10;
export const TILE_WIDTH = 160;

export interface StoryboardPlan {
  /** Seconds between tiles. */
  interval: number;
  tiles: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

export function storyboardPlan(durationSeconds: number, source: { width: number; height: number }): StoryboardPlan {
  const interval = Math.max(1, Math.ceil((durationSeconds / MAX_TILES) * 1000) / 1000);
  const tiles = Math.max(1, Math.min(MAX_TILES, Math.ceil(durationSeconds / interval)));
  const columns = Math.min(COLUMNS, tiles);
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  return { interval, tiles, columns, rows: Math.ceil(tiles / columns), tileWidth: TILE_WIDTH, tileHeight: even((TILE_WIDTH * source.height) / source.width) };
}

/**
 * ffmpeg reading the lowest rendition's playlist: one frame per interval, scaled to a tile, tiled into
 * one JPEG. With tiles 2 s or more apart only keyframes are decoded (the ladder makes one every
 * segment), which makes a four-hour asset a matter of seconds.
 */
export function storyboardArgs(input: string, plan: StoryboardPlan, output: string, readOptions: string[] = []): string[] {
  return [
    ...(plan.interval >= 2 ? ['-skip_frame', 'nokey'] : []),
    ...readOptions,
    '-i', input,
    '-an',
    '-vf', `fps=1/${plan.interval}:round=down,scale=${plan.tileWidth}:${plan.tileHeight},tile=${plan.columns}x${plan.rows}`,
    '-frames:v', '1',
    '-q:v', '5',
    output,
  ];
}

const stamp = (s: number) => {
  const ms = Math.round(s * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${sec.toFixed(3).padStart(6, '0')}`;
};

/** The WebVTT cues: tile i covers [i × interval, (i + 1) × interval), the last one up to the end. */
export function storyboardVtt(plan: StoryboardPlan, durationSeconds: number, image: string): string {
  const cues: string[] = ['WEBVTT', ''];
  for (let i = 0; i < plan.tiles; i++) {
    const from = i * plan.interval;
    const to = i === plan.tiles - 1 ? Math.max(durationSeconds, from + 0.001) : (i + 1) * plan.interval;
    const x = (i % plan.columns) * plan.tileWidth;
    const y = Math.floor(i / plan.columns) * plan.tileHeight;
    cues.push(`${stamp(from)} --> ${stamp(to)}`, `${image}#xywh=${x},${y},${plan.tileWidth},${plan.tileHeight}`, '');
  }
  return cues.join('\n');
}
