// Reads objects from the media origin (the bucket) for the playback edge so that a viewer never gets
// a 500, a hang, or an empty or half-written playlist, whatever the store does:
// - a playlist is read whole and checked (`#EXTM3U` … line feed); a read that raced a rewrite (some
//   S3 servers write in place) is retried once, then answered from the last whole copy;
// - a segment's body is only handed on once its first bytes arrived, so an origin that fails early
//   is a 503 + Retry-After players retry; one that fails later ends the response (the player sees a
//   short body and re-requests) instead of an error page after the headers.
import { Readable } from 'node:stream';
import { ServiceUnavailableError, isWholePlaylist, withFinalNewline } from '@airwave/core';
import type { Storage, StoredObject } from '@airwave/storage';

/** How long the origin may stay silent before the edge gives up on a read (a playlist is tiny and hot). */
const ORIGIN_IDLE_MS = 5_000;
const PLAYLIST_IDLE_MS = 1_500;
/** A last whole copy older than this is not served in place of a broken read (a live playlist moves on). */
const LAST_GOOD_MS = 10_000;
const LAST_GOOD_MAX = 20_000;

const unavailable = (why: string) => new ServiceUnavailableError(`The media origin ${why}; retry shortly`);

function withIdleTimeout<T>(p: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(`did not answer ${what} in time`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface PlaylistRead {
  text: string;
  contentType?: string;
  cacheControl?: string;
}

export class OriginReader {
  private readonly lastGood = new Map<string, PlaylistRead & { at: number }>();

  constructor(private readonly storage: Storage) {}

  /** The object as the store holds it, or undefined (404); throws 503 when the store fails. */
  private async open(key: string, range: string | undefined, idleMs: number): Promise<StoredObject | undefined> {
    const abort = new AbortController();
    try {
      return await withIdleTimeout(this.storage.read(key, range, abort.signal), 'the request', idleMs);
    } catch (err) {
      abort.abort();
      throw err instanceof ServiceUnavailableError ? err : unavailable('is unreachable');
    }
  }

  private async readText(key: string): Promise<PlaylistRead | undefined> {
    const obj = await this.open(key, undefined, PLAYLIST_IDLE_MS);
    if (!obj) return undefined;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of withIdleIterator(obj.body, PLAYLIST_IDLE_MS)) chunks.push(chunk);
    } catch {
      obj.body.destroy();
      return { text: '', contentType: obj.contentType, cacheControl: obj.cacheControl };
    }
    return { text: Buffer.concat(chunks).toString('utf8'), contentType: obj.contentType, cacheControl: obj.cacheControl };
  }

  /** A whole playlist, never an empty or truncated one (the last whole copy stands in for a bad read). */
  async playlist(key: string): Promise<PlaylistRead | undefined> {
    let failure: unknown;
    const attempt = () =>
      this.readText(key).catch((err: unknown) => {
        failure = err;
        return null; // a failed read, not a missing object
      });
    const first = await attempt();
    if (first === undefined) return undefined;
    if (first && isWholePlaylist(first.text)) return this.remember(key, first);
    await new Promise((r) => setTimeout(r, 50));
    const second = await attempt();
    if (second === undefined) return undefined;
    if (second && isWholePlaylist(second.text)) return this.remember(key, second);
    // Written before playlists ended with a line feed (recordings, masters): whole if two reads agree
    // and it ends where such a playlist ends.
    if (first && second && second.text === first.text && second.text.startsWith('#EXTM3U') && /(#EXT-X-ENDLIST|\/index\.m3u8)\s*$/.test(second.text)) {
      return this.remember(key, { ...second, text: withFinalNewline(second.text) });
    }
    const good = this.lastGood.get(key);
    if (good && Date.now() - good.at < LAST_GOOD_MS) return good;
    throw failure instanceof ServiceUnavailableError ? failure : unavailable('returned an incomplete playlist');
  }

  private readonly shared = new Map<string, { at: number; read: Promise<PlaylistRead | undefined> }>();

  /**
   * A playlist read shared by every caller within `maxAgeMs` (blocking reloads poll it): one origin
   * request per rendition and poll, however many players wait.
   */
  playlistShared(key: string, maxAgeMs: number): Promise<PlaylistRead | undefined> {
    const hit = this.shared.get(key);
    if (hit && Date.now() - hit.at < maxAgeMs) return hit.read;
    if (this.shared.size > LAST_GOOD_MAX) this.shared.clear();
    const read = this.playlist(key);
    this.shared.set(key, { at: Date.now(), read });
    read.catch(() => this.shared.delete(key));
    return read;
  }

  private readonly appearing = new Map<string, Promise<boolean>>();

  /**
   * Whether the object exists within `waitMs` (a hinted LL-HLS part, requested before it is
   * written). Every caller waiting for one key shares one probe of the origin per poll.
   */
  whenExists(key: string, waitMs: number, pollMs: number): Promise<boolean> {
    const pending = this.appearing.get(key);
    if (pending) return pending;
    const probe = async () => {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const obj = await this.open(key, 'bytes=0-0', ORIGIN_IDLE_MS);
        if (obj) {
          obj.body.destroy();
          return true;
        }
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    };
    if (this.appearing.size > LAST_GOOD_MAX) this.appearing.clear();
    const found = probe().finally(() => this.appearing.delete(key));
    this.appearing.set(key, found);
    return found;
  }

  private remember(key: string, read: PlaylistRead): PlaylistRead {
    if (this.lastGood.size >= LAST_GOOD_MAX) this.lastGood.clear();
    this.lastGood.set(key, { ...read, at: Date.now() });
    return read;
  }

  /** A media object whose first bytes have arrived: the body is safe to answer 200/206 with. */
  async media(key: string, range?: string): Promise<StoredObject | undefined> {
    const obj = await this.open(key, range, ORIGIN_IDLE_MS);
    if (!obj) return undefined;
    const chunks = withIdleIterator(obj.body, ORIGIN_IDLE_MS);
    let first: IteratorResult<Buffer>;
    try {
      first = await chunks.next();
    } catch {
      obj.body.destroy();
      throw unavailable('stopped sending');
    }
    async function* rest() {
      if (!first.done) yield first.value;
      try {
        for (let n = await chunks.next(); !n.done; n = await chunks.next()) yield n.value;
      } catch {
        obj!.body.destroy();
        // Headers are out by now: Fastify ends the response rather than sending an error page.
        throw unavailable('stopped sending');
      }
    }
    return { ...obj, body: Readable.from(rest(), { objectMode: false }) };
  }
}

/** The body's chunks; a chunk that takes longer than `idleMs` to come is an error. */
async function* withIdleIterator(body: Readable, idleMs: number): AsyncGenerator<Buffer> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (;;) {
    const n = await withIdleTimeout(it.next(), 'with data', idleMs);
    if (n.done) return;
    yield n.value;
  }
}
