// Instant clips (POST /v1/assets with an `input`): checks the range against what the source holds,
// answers a `preparing` asset at once and leaves the copying to the worker's `clip` job.
import {
  MAX_CLIP_SECONDS,
  newId,
  newPlaybackId,
  NotFoundError,
  presentAsset,
  recordEvent,
  recordJob,
  ValidationError,
  type ClipSpec,
  type PublicUrls,
  storageLayout,
} from '@airwave/core';
import type { Asset, Db } from '@airwave/db';
import type { Storage } from '@airwave/storage';
import HLS from 'hls-parser';

export type ClipInput =
  | { liveStreamId: string; startTime: string; endTime: string }
  | { assetId: string; startOffsetSeconds: number; endOffsetSeconds: number };

/** A live clip may end this far past now: "the last 30 s" sent a moment late. */
const FUTURE_SLACK_MS = 5_000;
/** A segment's worth of slack at the start of what is held (cuts fall on its boundaries anyway). */
const EDGE_SLACK_MS = 2_000;

const bad = (message: string, field: string) => new ValidationError(message, [{ field: `input.${field}`, message }]);

export class Clips {
  constructor(
    private readonly db: Db,
    private readonly storage: Storage,
    private readonly urls: PublicUrls,
  ) {}

  async create(projectId: string, input: ClipInput, passthrough?: string | null): Promise<Asset> {
    const { spec, policy } = 'liveStreamId' in input ? await this.fromStream(projectId, input) : await this.fromAsset(projectId, input);
    return this.db.$transaction(async (tx) => {
      const asset = await tx.asset.create({
        data: {
          id: newId('asset'),
          projectId,
          playbackId: newPlaybackId(),
          playbackPolicy: policy.playbackPolicy,
          allowedOrigins: policy.allowedOrigins,
          passthrough: passthrough ?? null,
          clip: spec as object,
        },
      });
      await recordEvent(tx, projectId, 'asset.created', presentAsset(asset, this.urls));
      await recordJob(tx, 'clip', { assetId: asset.id });
      return asset;
    });
  }

  private async fromStream(projectId: string, input: Extract<ClipInput, { liveStreamId: string }>) {
    const stream = await this.db.liveStream.findFirst({ where: { id: input.liveStreamId, projectId, deletedAt: null } });
    if (!stream) throw new NotFoundError('Live stream');
    const from = Date.parse(input.startTime);
    const to = Date.parse(input.endTime);
    checkSpan(to - from, 'endTime');
    if (to > Date.now() + FUTURE_SLACK_MS) throw bad('endTime is in the future', 'endTime');
    const held = (await this.recorded(stream.id)) ?? (await this.dvrWindow(stream.playbackId));
    if (!held) throw bad('This stream has nothing to clip: no recording, and no DVR window live now', 'liveStreamId');
    if (from < held.from - EDGE_SLACK_MS || from >= held.to) {
      throw bad(`startTime is outside what the stream holds (${new Date(held.from).toISOString()} to ${new Date(held.to).toISOString()})`, 'startTime');
    }
    const spec: ClipSpec = { source: { liveStreamId: stream.id }, requested: { startTime: new Date(from).toISOString(), endTime: new Date(to).toISOString() } };
    return { spec, policy: stream };
  }

  private async fromAsset(projectId: string, input: Extract<ClipInput, { assetId: string }>) {
    const asset = await this.db.asset.findFirst({ where: { id: input.assetId, projectId, deletedAt: null } });
    if (!asset) throw new NotFoundError('Asset');
    if (asset.status !== 'ready' || asset.durationSeconds === null) throw bad('The asset is not ready yet', 'assetId');
    const { startOffsetSeconds: from, endOffsetSeconds: to } = input;
    checkSpan((to - from) * 1000, 'endOffsetSeconds');
    if (to > asset.durationSeconds + 0.5) throw bad(`endOffsetSeconds is past the end of the asset (${asset.durationSeconds} s)`, 'endOffsetSeconds');
    const spec: ClipSpec = { source: { assetId: asset.id }, requested: { startOffsetSeconds: from, endOffsetSeconds: to } };
    return { spec, policy: asset };
  }

  /** The wall-clock span of a stream's recordings, if it has any segments with times. */
  private async recorded(liveStreamId: string): Promise<{ from: number; to: number } | undefined> {
    const [row] = await this.db.$queryRaw<{ from: Date | null; to: Date | null }[]>`
      SELECT MIN(s."startAt") AS "from", MAX(s."startAt" + make_interval(secs => s."duration")) AS "to"
      FROM "AssetSegment" s JOIN "Asset" a ON a."id" = s."assetId"
      WHERE a."liveStreamId" = ${liveStreamId} AND a."deletedAt" IS NULL AND a."clip" IS NULL AND s."startAt" IS NOT NULL`;
    return row?.from && row.to ? { from: row.from.getTime(), to: row.to.getTime() } : undefined;
  }

  /** What an unrecorded stream's live playlist still lists (its DVR window), by wall clock. */
  private async dvrWindow(playbackId: string): Promise<{ from: number; to: number } | undefined> {
    const master = await this.storage.getText(storageLayout.liveMaster(playbackId)).catch(() => undefined);
    const parsed = master ? HLS.parse(master) : undefined;
    if (!parsed?.isMasterPlaylist || parsed.variants.length === 0) return undefined;
    const text = await this.storage.getText(`${storageLayout.live(playbackId)}/${parsed.variants[0]!.uri}`).catch(() => undefined);
    const media = text ? HLS.parse(text) : undefined;
    if (!media || media.isMasterPlaylist) return undefined;
    const timed = media.segments.filter((s) => s.uri && s.programDateTime);
    if (timed.length === 0) return undefined;
    const last = timed.at(-1)!;
    return { from: timed[0]!.programDateTime!.getTime(), to: last.programDateTime!.getTime() + last.duration * 1000 };
  }
}

function checkSpan(ms: number, field: string) {
  if (!(ms > 0)) throw bad('The end must come after the start', field);
  if (ms > MAX_CLIP_SECONDS * 1000) throw bad(`A clip is at most ${MAX_CLIP_SECONDS / 3600} hours long`, field);
}
