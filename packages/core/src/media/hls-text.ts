// Small facts about HLS playlist text shared by the worker (which writes playlists) and the
// playback edge (which serves them).

/** RFC 8216 §4.1: every line of a playlist, the last included, ends with a line feed. */
export function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * A playlist read whole: starts with `#EXTM3U` and ends with a line feed (everything Airwave writes
 * does). Anything else is empty or cut short: a read that raced a rewrite, or an aborted body.
 */
export function isWholePlaylist(text: string): boolean {
  return text.startsWith('#EXTM3U') && text.endsWith('\n');
}

/** EXT-X-TARGETDURATION: RFC 8216 §4.3.3.1 asks that each EXTINF *rounded* to an integer be ≤ it. */
export function targetDurationFor(durations: readonly number[], atLeast = 1): number {
  return Math.max(atLeast, ...durations.map((d) => Math.round(d)));
}
