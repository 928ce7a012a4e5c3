// Uploads the live thumbnail ffmpeg keeps rewriting (`-update 1`) whenever it changes.
import { readFile, stat } from 'node:fs/promises';
import type { Storage } from '@airwave/storage';

const JPEG_END = Buffer.from([0xff, 0xd9]);

export class ThumbnailPublisher {
  private timer: NodeJS.Timeout | undefined;
  private lastMtime = 0;
  private busy = false;
  uploads = 0;

  constructor(
    private readonly storage: Storage,
    private readonly file: string,
    /** `thumbs/<playbackId>.jpg` */
    private readonly key: string,
  ) {}

  start(everyMs = 2000): void {
    this.timer = setInterval(() => void this.check(), everyMs);
  }

  private async check(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const info = await stat(this.file).catch(() => undefined);
      if (!info || info.mtimeMs === this.lastMtime) return;
      const body = await readFile(this.file);
      // ffmpeg may be mid-write: only a complete JPEG goes up.
      if (body.length < 4 || !body.subarray(body.length - 2).equals(JPEG_END)) return;
      this.lastMtime = info.mtimeMs;
      await this.storage.put(this.key, body, 'public, max-age=5');
      this.uploads++;
    } catch {
      // The next tick tries again; a thumbnail is never worth failing the ladder for.
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
