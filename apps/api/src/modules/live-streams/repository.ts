// The only Prisma caller for live streams and their sessions.
import { keysetAfter, newestFirst, type CursorPosition } from '@airwave/core';
import type { Db, LiveStreamStatus, Prisma, Tx } from '@airwave/db';

export interface RecentAsset {
  id: string;
  sessionId: string | null;
}

const RECENT_ASSETS = 5;
const recentAssets = { where: { deletedAt: null }, orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }], take: RECENT_ASSETS, select: { id: true, sessionId: true } };

export class LiveStreamRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(fn);
  }

  /** A project's stream, not deleted; undefined for anything else (another project's id included). */
  async find(projectId: string, id: string, tx: Tx | Db = this.db) {
    return (await tx.liveStream.findFirst({ where: { id, projectId, deletedAt: null } })) ?? undefined;
  }

  /** A project's stream with what its representation shows: recent recordings, the session's peak. */
  findForView(projectId: string, id: string) {
    return this.db.liveStream.findFirst({ where: { id, projectId, deletedAt: null }, include: { assets: recentAssets, currentSession: { select: { viewersPeak: true } } } });
  }

  /** The peak viewer count of a session (0 when it has none). */
  async sessionPeak(sessionId: string): Promise<number> {
    return (await this.db.liveStreamSession.findUnique({ where: { id: sessionId }, select: { viewersPeak: true } }))?.viewersPeak ?? 0;
  }

  viewerSamples(targetId: string, from: Date, to: Date) {
    return this.db.viewerSample.findMany({ where: { targetId, at: { gte: from, lt: to } }, orderBy: { at: 'asc' } });
  }

  list(projectId: string, take: number, after?: CursorPosition, status?: LiveStreamStatus) {
    return this.db.liveStream.findMany({
      where: { projectId, deletedAt: null, ...(status ? { status } : {}), ...keysetAfter(after) },
      orderBy: newestFirst,
      take,
      include: { assets: recentAssets, currentSession: { select: { viewersPeak: true } } },
    });
  }

  recentAssets(liveStreamId: string): Promise<RecentAsset[]> {
    return this.db.asset.findMany({ ...recentAssets, where: { ...recentAssets.where, liveStreamId } });
  }

  create(tx: Tx, data: Prisma.LiveStreamUncheckedCreateInput) {
    return tx.liveStream.create({ data });
  }

  update(tx: Tx, id: string, data: Prisma.LiveStreamUncheckedUpdateInput) {
    return tx.liveStream.update({ where: { id }, data });
  }

  findSession(liveStreamId: string, sessionId: string) {
    return this.db.liveStreamSession.findFirst({ where: { id: sessionId, liveStreamId } });
  }

  listSessions(liveStreamId: string, take: number, after?: CursorPosition) {
    return this.db.liveStreamSession.findMany({
      where: { liveStreamId, ...keysetAfter(after) },
      orderBy: newestFirst,
      include: { asset: { select: { id: true } } },
      take,
    });
  }
}
