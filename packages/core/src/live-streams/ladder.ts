/** The default ladder (DESIGN.md §5), highest first. Rungs above the source are skipped, never upscaled. */
export const LADDER = [
  { name: '1080p', width: 1920, height: 1080, videoBitrate: 6_000_000 },
  { name: '720p', width: 1280, height: 720, videoBitrate: 3_000_000 },
  { name: '480p', width: 854, height: 480, videoBitrate: 1_500_000 },
  { name: '360p', width: 640, height: 360, videoBitrate: 800_000 },
  { name: '240p', width: 426, height: 240, videoBitrate: 400_000 },
] as const;

export type RenditionName = (typeof LADDER)[number]['name'];
export const RENDITION_NAMES = LADDER.map((r) => r.name) as RenditionName[];

/** Requested renditions in ladder order, without duplicates. */
export function normaliseRenditions(requested: readonly string[] | undefined): RenditionName[] {
  if (!requested || requested.length === 0) return [...RENDITION_NAMES];
  const wanted = new Set(requested);
  return RENDITION_NAMES.filter((n) => wanted.has(n));
}
