// The S3 API (AWS SDK v3) against any S3-compatible store: AWS, R2, MinIO, or the local s3rver.
import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Config } from '@airwave/config';

export const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  jpg: 'image/jpeg',
  vtt: 'text/vtt; charset=utf-8',
};

/** Segments never change once written; playlists change every segment (DESIGN.md §5). */
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
export const CACHE_PLAYLIST = 'public, max-age=1';

export interface StoredObject {
  body: Readable;
  contentType?: string;
  cacheControl?: string;
  contentLength?: number;
  /** Set when a Range was asked for: the answer is a 206. */
  contentRange?: string;
  etag?: string;
  lastModified?: Date;
}

export type StorageOutcome = 'ok' | 'not_found' | 'error';

export class Storage {
  readonly client: S3Client;
  /**
   * Told about every S3 request once the SDK has finished with it (its retries included): the
   * command, how long it took and how it ended. Processes set it to feed their metrics.
   */
  observe?: (command: string, seconds: number, outcome: StorageOutcome) => void;

  constructor(
    readonly bucket: string,
    opts: Pick<Config['storage'], 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>,
  ) {
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      // Path-style works with every S3-compatible server; virtual hosts need DNS per bucket.
      forcePathStyle: Boolean(opts.endpoint),
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      maxAttempts: 4,
    });
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const started = performance.now();
        const done = (outcome: StorageOutcome) =>
          this.observe?.(String(context.commandName).replace(/Command$/, ''), (performance.now() - started) / 1000, outcome);
        try {
          const result = await next(args);
          done('ok');
          return result;
        } catch (err) {
          const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
          done(e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404 ? 'not_found' : 'error');
          throw err;
        }
      },
      { step: 'initialize', name: 'airwaveObserve' },
    );
  }

  static fromConfig(config: Config): Storage {
    return new Storage(config.storage.bucket, config.storage);
  }

  async put(key: string, body: Uint8Array | string, cacheControl: string): Promise<void> {
    const ext = key.slice(key.lastIndexOf('.') + 1);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
        CacheControl: cacheControl,
      }),
    );
  }

  /** Copies an object within the bucket (the store does the work; metadata comes along). */
  async copy(from: string, to: string): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}` }),
    );
  }

  /** A file of any size (multipart above 5 MB, via @aws-sdk/lib-storage). */
  async putFile(key: string, file: string, cacheControl: string): Promise<void> {
    const ext = key.slice(key.lastIndexOf('.') + 1);
    await new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(file),
        ContentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
        CacheControl: cacheControl,
      },
    }).done();
  }

  /** The object's text, or undefined when it does not exist. */
  async getText(key: string): Promise<string | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await res.Body?.transformToString();
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  /**
   * An object as a stream with the headers a CDN passes on, or undefined when it does not exist.
   * `range` is an HTTP Range header value (players seek in the MP4 with it).
   */
  async read(key: string, range?: string, abortSignal?: AbortSignal): Promise<StoredObject | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }), { abortSignal });
      if (!res.Body) return undefined;
      return {
        body: res.Body as Readable,
        contentType: res.ContentType,
        cacheControl: res.CacheControl,
        contentLength: res.ContentLength,
        contentRange: res.ContentRange,
        etag: res.ETag,
        lastModified: res.LastModified,
      };
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (err instanceof NoSuchKey || name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw err;
    }
  }

  /** A time-limited GET URL of a private object (ffmpeg reads recordings with these, not via the CDN). */
  presignGet(key: string, expiresInSeconds = 3600): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch } }));
    }
    return keys.length;
  }
}
