// What a clip asset remembers of how it was made (Asset.clip): the source, the range asked for, and
// the range it got (cuts fall on segment boundaries outside the requested range).
export interface ClipRange {
  /** Live clips: wall-clock times, as in EXT-X-PROGRAM-DATE-TIME. */
  startTime?: string;
  endTime?: string;
  /** Clips of an asset: seconds from its start. */
  startOffsetSeconds?: number;
  endOffsetSeconds?: number;
}

export interface ClipSpec {
  source: { liveStreamId: string } | { assetId: string };
  requested: ClipRange;
  /** Set when the clip's segments are chosen. */
  actual?: ClipRange;
}

/** The longest clip: four hours. */
export const MAX_CLIP_SECONDS = 4 * 3600;
