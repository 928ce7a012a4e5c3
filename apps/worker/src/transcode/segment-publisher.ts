// Uploads a running ladder as it is written: each segment the moment ffmpeg completes it, then the
// playlist that names it (never the reverse), then deletes the local copy so disk use stays bounded
// on a 10-hour stream. The master playlist goes up once every rendition has a segment.
import { watch, type FSWatcher } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { readFragment } from '@airwave/core';
import { CACHE_IMMUTABLE, CACHE_PLAYLIST, type Storage } from '@airwave/storage';
import type { Logger } from 'pino';
import { LOCAL_BACKLOG_SEGMENTS } from './ffmpeg-args.js';
import { LivePlaylist, readSegments } from './playlists.js';
import { PartGrouper } from './part-grouper.js';

export interface SegmentPublisherOptions {
  storage: Storage;
  /** `live/<playbackId>` */
  prefix: string;
  outputDir: string;
  renditions: string[];
  segmentSeconds: number;
  /** DVR: seconds of segments the live playlists keep (0 or undefined: the short live window). */
  dvrWindowSeconds?: number;
  /**
   * LL-HLS: ffmpeg writes fMP4 parts of about this length (ffmpeg-args `partSeconds`); each is
   * published as it lands and grouped into a segment at the next independent part.
   */
  partSeconds?: number;
  masterPlaylist: string;
  log: Logger;
  /** Called once, right after the master playlist is uploaded: the stream is playable. */
  onPlayable(): Promise<void>;
  /** Each segment ffmpeg completed, before it is uploaded; return false to drop it (the run is being replanned). */
  onSegment?(rendition: string, duration: number): boolean;
  /**
   * LL-HLS: publish no part of a rendition before its first segment passed `onSegment` (a copied
   * source whose keyframes turn out too far apart must leave nothing behind in the playlist).
   */
  verifyFirstSegment?: boolean;
  /**
   * Where segments are stored, relative to `prefix`: a recorded session keeps them under its asset
   * (`../../vod/<assetId>`), so the recording is the live segments themselves, never a second copy.
   */
  segmentDir?: string;
  /** LL-HLS parts, relative to nothing (a storage prefix): short-lived, removed after the session (cleanupLive). */
  partDir?: string;
  /** Each segment once stored (the recording lists them). */
  onUploaded?(rendition: string, uri: string, duration: number, discontinuity: boolean, programDateTime?: Date): Promise<void>;
  /** Other keys the master playlist is also written to (the recording's own master). */
  masterCopies?: string[];
  /**
   * Where this run's first segment sits on the ingest's wall clock: `epochMs` is when content time 0
   * of the publish reached the ingest, `startSeconds` the content time ffmpeg's input began at.
   * Unknown (undefined) leaves segments without EXT-X-PROGRAM-DATE-TIME.
   */
  timeline?(): { epochMs: number; startSeconds: number } | undefined;
}

interface RenditionState {
  playlist: LivePlaylist;
  /** LL-HLS runs: the parts of the segment being written. */
  parts?: PartGrouper;
  /** LL-HLS: parts are published (the first segment passed `onSegment`, or there is nothing to verify). */
  partsLive?: boolean;
  /** Content seconds this run has published in this rendition. */
  runSeconds: number;
  seen: Set<string>;
  uploaded: number;
  chain: Promise<void>;
}

export class SegmentPublisher {
  private readonly state = new Map<string, RenditionState>();
  private readonly watchers: FSWatcher[] = [];
  private poll: NodeJS.Timeout | undefined;
  private masterUploaded = false;
  private failure: Error | undefined;
  private recording: Promise<void> = Promise.resolve();

  constructor(private readonly o: SegmentPublisherOptions) {}

  /** Loads what a previous run published, so this run continues the same playlists. */
  async start(): Promise<void> {
    // About 24 s of standard segments, 8 s of low-latency ones: a short window keeps players near the
    // edge. DVR: the stream's window, so players can rewind that far (docs/dvr.md).
    const live = this.o.segmentSeconds <= 1 ? 8 : Math.max(6, Math.ceil(24 / this.o.segmentSeconds));
    const windowSize = Math.max(live, Math.ceil((this.o.dvrWindowSeconds ?? 0) / this.o.segmentSeconds) + 1);
    for (const name of this.o.renditions) {
      const part = this.o.partSeconds;
      // PART-TARGET: no part longer, and every part but a segment's last at least 85 % of it. ffmpeg
      // cuts at the first frame past `part`, so parts run from `part` to `part` plus one frame.
      const playlist = new LivePlaylist(this.o.segmentSeconds, windowSize, part ? { partTarget: Math.round(part * 1.125 * 1000) / 1000 } : undefined);
      playlist.resumeFrom(await this.o.storage.getText(`${this.o.prefix}/${name}/index.m3u8`));
      this.state.set(name, {
        playlist,
        parts: part ? new PartGrouper() : undefined,
        partsLive: !this.o.verifyFirstSegment,
        runSeconds: 0,
        seen: new Set(),
        uploaded: 0,
        chain: Promise.resolve(),
      });
      // inotify tells us at once; the poll is a safety net for missed events.
      this.watchers.push(watch(path.join(this.o.outputDir, name), () => this.schedule(name)));
    }
    this.poll = setInterval(() => this.o.renditions.forEach((n) => this.schedule(n)), 500);
  }

  get uploadedSegments(): number {
    return [...this.state.values()].reduce((n, s) => n + s.uploaded, 0);
  }

  /** An upload that kept failing (storage down): the run must fail so it is retried. */
  get error(): Error | undefined {
    return this.failure;
  }

  private schedule(name: string): void {
    const st = this.state.get(name);
    if (!st) return;
    st.chain = st.chain
      .then(() => this.sync(name, st))
      .catch((err: Error) => {
        this.failure = err;
        this.o.log.error({ rendition: name, err: err.message }, 'segment upload failed');
      });
  }

  private async sync(name: string, st: RenditionState): Promise<void> {
    const dir = path.join(this.o.outputDir, name);
    const text = await readFile(path.join(dir, 'index.m3u8'), 'utf8').catch(() => undefined);
    if (!text) return;
    const fresh = readSegments(text).filter((s) => !st.seen.has(s.uri));
    if (fresh.length === 0) return;
    if (st.parts) return this.syncParts(name, st, fresh);
    for (const seg of fresh) {
      if (this.o.onSegment && !this.o.onSegment(name, seg.duration)) return;
      const file = path.join(dir, seg.uri);
      const body = await readFile(file);
      const key = this.o.segmentDir ? `${this.o.segmentDir}/${name}/${seg.uri}` : `${this.o.prefix}/${name}/${seg.uri}`;
      await this.persist(() => this.o.storage.put(key, body, CACHE_IMMUTABLE));
      await unlink(file).catch(() => {});
      st.seen.add(seg.uri);
      // The live playlist sits at <prefix>/<rendition>/index.m3u8; point it at wherever the segment went.
      const uri = this.o.segmentDir ? `${path.posix.relative(`${this.o.prefix}/${name}`, `${this.o.segmentDir}/${name}`)}/${seg.uri}` : seg.uri;
      const t = this.o.timeline?.();
      const pdt = t && new Date(Math.round(t.epochMs + (t.startSeconds + st.runSeconds) * 1000));
      st.runSeconds += seg.duration;
      const discontinuity = st.playlist.append(uri, seg.duration, pdt);
      this.record(name, seg.uri, seg.duration, discontinuity, pdt);
      st.uploaded++;
    }
    await this.persist(() => this.o.storage.put(`${this.o.prefix}/${name}/index.m3u8`, st.playlist.render(), CACHE_PLAYLIST));
    await this.maybePublishMaster();
  }

  /** Where a rendition's media objects go, and the URI the live playlist names them by. */
  private placement(name: string, file: string, dir = this.o.segmentDir): { key: string; uri: string } {
    const key = dir ? `${dir}/${name}/${file}` : `${this.o.prefix}/${name}/${file}`;
    // The live playlist sits at <prefix>/<rendition>/index.m3u8; point it at wherever the object went.
    const uri = dir ? `${path.posix.relative(`${this.o.prefix}/${name}`, `${dir}/${name}`)}/${file}` : file;
    return { key, uri };
  }

  /** Publishes a segment that is complete: the playlist names it, the recording lists it. */
  private addSegment(name: string, st: RenditionState, file: string, duration: number): void {
    const { uri } = this.placement(name, file);
    const t = this.o.timeline?.();
    const pdt = t && new Date(Math.round(t.epochMs + (t.startSeconds + st.runSeconds) * 1000));
    st.runSeconds += duration;
    const discontinuity = st.playlist.append(uri, duration, pdt);
    this.record(name, file, duration, discontinuity, pdt);
    st.uploaded++;
  }

  /**
   * LL-HLS: every part is uploaded the moment ffmpeg finishes it and the playlist names it (a
   * blocked player reload returns at once); an independent part closes the segment before it, which
   * is uploaded whole (players that ignore parts, and the recording, use segments).
   */
  private async syncParts(name: string, st: RenditionState, fresh: { uri: string; duration: number }[]): Promise<void> {
    const grouper = st.parts!;
    const dir = path.join(this.o.outputDir, name);
    for (const entry of fresh) {
      const file = path.join(dir, entry.uri);
      const fragment = readFragment(await readFile(file));
      const local = /^(.*)_(\d+)\.m4s$/.exec(entry.uri);
      if (!local) continue;
      const [, runTag, num] = local as unknown as [string, string, string];
      if (!grouper.initUploaded) {
        const init = await readFile(path.join(dir, `init_${runTag}_${name}.mp4`));
        await this.persist(() => this.o.storage.put(this.placement(name, `init_${runTag}.mp4`).key, init, CACHE_IMMUTABLE));
        grouper.initUploaded = true;
      }
      const closed = grouper.add({ runTag, duration: entry.duration, body: fragment.body, independent: fragment.independent });
      if (closed) {
        if (this.o.onSegment && !this.o.onSegment(name, closed.duration)) return;
        st.partsLive = true;
        await this.persist(() => this.o.storage.put(this.placement(name, closed.file).key, closed.body, CACHE_IMMUTABLE));
        this.addSegment(name, st, closed.file, closed.duration);
      }
      if (!st.partsLive) {
        // Held back until the run's first segment is verified: grouped, not yet published.
        await unlink(file).catch(() => {});
        st.seen.add(entry.uri);
        continue;
      }
      const partFile = `${runTag}_${num}.part.m4s`;
      const partDir = this.o.partDir ?? this.o.segmentDir;
      await this.persist(() => this.o.storage.put(this.placement(name, partFile, partDir).key, fragment.body, CACHE_IMMUTABLE));
      const next = `${runTag}_${String(Number(num) + 1).padStart(num.length, '0')}.part.m4s`;
      st.playlist.appendPart(
        { uri: this.placement(name, partFile, partDir).uri, duration: entry.duration, independent: fragment.independent },
        this.placement(name, next, partDir).uri,
      );
      await unlink(file).catch(() => {});
      st.seen.add(entry.uri);
    }
    if (!st.partsLive) return;
    await this.persist(() => this.o.storage.put(`${this.o.prefix}/${name}/index.m3u8`, st.playlist.render(), CACHE_PLAYLIST));
    await this.maybePublishMaster();
  }

  /** LL-HLS: the parts of the segment still open become its last segment (the run is ending). */
  private async flushParts(name: string, st: RenditionState): Promise<void> {
    const closed = st.parts?.flush();
    if (!closed) return;
    await this.persist(() => this.o.storage.put(this.placement(name, closed.file).key, closed.body, CACHE_IMMUTABLE));
    this.addSegment(name, st, closed.file, closed.duration);
  }

  /**
   * Storage (or the database) unreachable: keep retrying with back-off while ffmpeg goes on writing
   * segments to local disk, and upload the backlog in order once it is back, so the recording has no
   * gap. The wait is bounded by what ffmpeg's playlist still names (LOCAL_BACKLOG_SEGMENTS, with a
   * margin); past that the run fails and is restarted.
   */
  private async persist(write: () => Promise<void>): Promise<void> {
    const giveUpAt = Date.now() + this.o.segmentSeconds * (LOCAL_BACKLOG_SEGMENTS - 20) * 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (Date.now() > giveUpAt) throw err;
        if (attempt === 0) this.o.log.warn({ err: (err as Error).message }, 'write failed; retrying while segments wait on disk');
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
  }

  /**
   * The recording's list of segments lives in Postgres. It is written in order on a chain of its
   * own, so a database outage delays the list (retried like storage) but never the live playlist.
   */
  private record(name: string, uri: string, duration: number, discontinuity: boolean, pdt?: Date): void {
    const onUploaded = this.o.onUploaded;
    if (!onUploaded) return;
    this.recording = this.recording
      .then(() => this.persist(() => onUploaded(name, uri, duration, discontinuity, pdt)))
      .catch((err: Error) => {
        this.failure = err;
        this.o.log.error({ rendition: name, uri, err: err.message }, 'recording a segment failed');
      });
  }

  private async maybePublishMaster(): Promise<void> {
    if (this.masterUploaded || [...this.state.values()].some((s) => s.uploaded === 0)) return;
    this.masterUploaded = true;
    for (const key of [`${this.o.prefix}/index.m3u8`, ...(this.o.masterCopies ?? [])]) {
      await this.persist(() => this.o.storage.put(key, this.o.masterPlaylist, CACHE_PLAYLIST));
    }
    await this.o.onPlayable();
  }

  /**
   * Uploads whatever ffmpeg finished last, then stops watching. `endlist`: the session is over, so
   * the last playlists carry EXT-X-ENDLIST and players stop at the end instead of waiting.
   */
  async close(opts: { endlist?: boolean } = {}): Promise<void> {
    clearInterval(this.poll);
    for (const w of this.watchers) w.close();
    for (const name of this.o.renditions) this.schedule(name);
    await Promise.all([...this.state.values()].map((s) => s.chain));
    for (const [name, st] of this.state) {
      if (!st.parts || !st.partsLive || this.failure) continue;
      await this.flushParts(name, st);
      if (!opts.endlist) await this.persist(() => this.o.storage.put(`${this.o.prefix}/${name}/index.m3u8`, st.playlist.render(), CACHE_PLAYLIST));
    }
    if (opts.endlist && !this.failure) {
      for (const [name, st] of this.state) {
        if (st.playlist.length > 0)
          await this.persist(() => this.o.storage.put(`${this.o.prefix}/${name}/index.m3u8`, st.playlist.render({ endlist: true }), CACHE_PLAYLIST));
      }
    }
    await this.recording;
  }
}
