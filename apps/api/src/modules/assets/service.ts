import {
  type CursorCodec,
  keysetAfter,
  newestFirst,
  NotFoundError,
  paginate,
  presentAsset,
  recordEvent,
  recordJob,
  type PageRequest,
  type PublicUrls,
} from '@airwave/core';
import type { Asset, Db } from '@airwave/db';
import { normaliseOrigins } from '../../lib/schemas.js';

export interface AssetUpdate {
  playbackPolicy?: 'public' | 'signed';
  allowedOrigins?: string[];
}

export class AssetService {
  constructor(
    private readonly db: Db,
    private readonly urls: PublicUrls,
    private readonly cursors: CursorCodec,
  ) {}

  present = (a: Asset) => presentAsset(a, this.urls);

  list(projectId: string, q: PageRequest & { liveStreamId?: string }) {
    const where = { projectId, deletedAt: null, ...(q.liveStreamId ? { liveStreamId: q.liveStreamId } : {}) };
    return paginate(
      this.cursors,
      `assets:${projectId}:${q.liveStreamId ?? ''}`,
      q,
      (take, after) => this.db.asset.findMany({ where: { ...where, ...keysetAfter(after) }, orderBy: newestFirst, take }),
      this.present,
    );
  }

  async get(projectId: string, id: string): Promise<Asset> {
    const a = await this.db.asset.findFirst({ where: { id, projectId, deletedAt: null } });
    if (!a) throw new NotFoundError('Asset');
    return a;
  }

  async update(projectId: string, id: string, input: AssetUpdate): Promise<Asset> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.asset.updateMany({
        where: { id, projectId, deletedAt: null },
        data: { ...input, allowedOrigins: input.allowedOrigins && normaliseOrigins(input.allowedOrigins) },
      });
      if (count !== 1) throw new NotFoundError('Asset');
      const asset = await tx.asset.findUniqueOrThrow({ where: { id } });
      await recordEvent(tx, projectId, 'asset.updated', presentAsset(asset, this.urls));
      return asset;
    });
  }

  async delete(projectId: string, id: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.asset.updateMany({ where: { id, projectId, deletedAt: null }, data: { deletedAt: new Date() } });
      if (count !== 1) throw new NotFoundError('Asset');
      const asset = await tx.asset.findUniqueOrThrow({ where: { id } });
      await recordEvent(tx, projectId, 'asset.deleted', presentAsset(asset, this.urls));
      // Its objects go after commit, by a job committed with the deletion.
      await recordJob(tx, 'deleteAsset', { assetId: id });
    });
  }
}
