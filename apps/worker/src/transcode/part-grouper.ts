// LL-HLS: ffmpeg writes parts; a segment is the parts from one independent part (a keyframe on every
// track) up to the next, concatenated (a CMAF segment may hold several fragments).

export interface Part {
  runTag: string;
  duration: number;
  body: Buffer;
  independent: boolean;
}

export interface ClosedSegment {
  /** `<runTag>_<n>.m4s`, n counting the run's segments from 0 (a gap in n is a lost segment). */
  file: string;
  duration: number;
  body: Buffer;
}

export class PartGrouper {
  private open: Part[] = [];
  private segments = 0;
  initUploaded = false;

  /** Adds a part; answers the segment it closed, when it starts a new one. */
  add(part: Part): ClosedSegment | undefined {
    // A run starts on a keyframe; parts before the first independent one cannot be decoded alone.
    if (this.open.length === 0 && !part.independent) {
      this.open.push(part);
      return undefined;
    }
    const closed = part.independent ? this.flush() : undefined;
    this.open.push(part);
    return closed;
  }

  flush(): ClosedSegment | undefined {
    if (this.open.length === 0) return undefined;
    const first = this.open[0]!;
    const closed = {
      file: `${first.runTag}_${String(this.segments++).padStart(5, '0')}.m4s`,
      duration: Math.round(this.open.reduce((n, p) => n + p.duration, 0) * 1e6) / 1e6,
      body: Buffer.concat(this.open.map((p) => p.body)),
    };
    this.open = [];
    return closed;
  }
}
