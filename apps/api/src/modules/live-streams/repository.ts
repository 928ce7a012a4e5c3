// The only Prisma caller for live streams and their sessions.
import { keysetAfter, newestFirst, newId, NOTIFY_SQL, type CursorPosition } from '@airwave/core';
import { Prisma, type Db, type LiveStream, type LiveStreamStatus, type Tx } from '@airwave/db';

/** A simulcast target as the stream's creation writes it (checked and sealed beforehand). */
export interface NewTarget {
  url: string;
  streamKeyEncrypted: string | null;
  passthrough: string | null;
}

export interface RecentAsset {
  id: string;
  sessionId: string | null;
}

const RECENT_ASSETS = 5;
const recentAssets = {
  where: { deletedAt: null },
  orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
  take: RECENT_ASSETS,
  select: { id: true, sessionId: true },
};

/** A stream as its representation needs it: the row, its latest recordings, its session's peak. */
export type StreamView = LiveStream & { assets: RecentAsset[]; currentSession: { viewersPeak: number } | null };

/**
 * The read behind GET and list, as one statement: Prisma's `include` takes three round trips and
 * loads every recording of every listed stream to keep five (docs/control-plane.md).
 */
const VIEW = Prisma.sql`
  SELECT s.*, c."viewersPeak" AS "currentPeak",
    (SELECT coalesce(json_agg(json_build_object('id', a.id, 'sessionId', a."sessionId") ORDER BY a."createdAt" DESC, a.id DESC), '[]')
       FROM (SELECT id, "sessionId", "createdAt" FROM "Asset" WHERE "liveStreamId" = s.id AND "deletedAt" IS NULL
             ORDER BY "createdAt" DESC, id DESC LIMIT ${RECENT_ASSETS}) a) AS "recentAssets"
  FROM "LiveStream" s LEFT JOIN "LiveStreamSession" c ON c.id = s."currentSessionId"`;

type ViewRow = LiveStream & { currentPeak: number | null; recentAssets: RecentAsset[] | string };

function toView({ currentPeak, recentAssets: assets, ...stream }: ViewRow): StreamView {
  return {
    ...stream,
    assets: typeof assets === 'string' ? (JSON.parse(assets) as RecentAsset[]) : assets,
    currentSession: stream.currentSessionId && currentPeak !== null ? { viewersPeak: currentPeak } : null,
  };
}

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
  async findForView(projectId: string, id: string): Promise<StreamView | undefined> {
    const [row] = await this.db.$queryRaw<ViewRow[]>`${VIEW} WHERE s.id = ${id} AND s."projectId" = ${projectId} AND s."deletedAt" IS NULL`;
    return row && toView(row);
  }

  /** The peak viewer count of a session (0 when it has none). */
  async sessionPeak(sessionId: string): Promise<number> {
    return (await this.db.liveStreamSession.findUnique({ where: { id: sessionId }, select: { viewersPeak: true } }))?.viewersPeak ?? 0;
  }

  viewerSamples(targetId: string, from: Date, to: Date) {
    return this.db.viewerSample.findMany({ where: { targetId, at: { gte: from, lt: to } }, orderBy: { at: 'asc' } });
  }

  /** Newest first, after a keyset position (the listing's index: projectId, createdAt, id). */
  async list(projectId: string, take: number, after?: CursorPosition, status?: LiveStreamStatus): Promise<StreamView[]> {
    const rows = await this.db.$queryRaw<ViewRow[]>`${VIEW}
      WHERE s."projectId" = ${projectId} AND s."deletedAt" IS NULL
      ${status ? Prisma.sql`AND s.status = ${status}::"LiveStreamStatus"` : Prisma.empty}
      ${after ? Prisma.sql`AND (s."createdAt", s.id) < (${after.createdAt}, ${after.id})` : Prisma.empty}
      ORDER BY s."createdAt" DESC, s.id DESC LIMIT ${take}`;
    return rows.map(toView);
  }

  recentAssets(liveStreamId: string): Promise<RecentAsset[]> {
    return this.db.asset.findMany({ ...recentAssets, where: { ...recentAssets.where, liveStreamId } });
  }

  /**
   * A new stream, its simulcast targets and its outbox rows (`effects`, e.g. eventRowsSql) as one
   * statement: atomic like a transaction, in one round trip instead of six.
   */
  async insert(s: LiveStream, targets: NewTarget[], effects: Prisma.Sql[]): Promise<void> {
    const ctes = [
      Prisma.sql`stream AS (INSERT INTO "LiveStream" (id, "projectId", name, status, "statusChangedAt", record, "playbackPolicy", "latencyMode",
          "reconnectWindowSeconds", "dvrWindowSeconds", "inputType", "inputUrlEncrypted", "inputUrlMasked", "inputState", "inputError",
          renditions, passthrough, "allowedOrigins", "playbackId", "streamKeyHash", "streamKeyEncrypted", "streamKeyPrefix",
          "currentSessionId", "createdAt", "updatedAt", "deletedAt")
        VALUES (${s.id}, ${s.projectId}, ${s.name}, ${s.status}::"LiveStreamStatus", ${s.statusChangedAt}, ${s.record}, ${s.playbackPolicy}::"PlaybackPolicy",
          ${s.latencyMode}::"LatencyMode", ${s.reconnectWindowSeconds}, ${s.dvrWindowSeconds}, ${s.inputType}::"InputType", ${s.inputUrlEncrypted},
          ${s.inputUrlMasked}, ${s.inputState}, ${s.inputError}, ${s.renditions}::text[], ${s.passthrough}, ${s.allowedOrigins}::text[], ${s.playbackId},
          ${s.streamKeyHash}, ${s.streamKeyEncrypted}, ${s.streamKeyPrefix}, ${s.currentSessionId}, ${s.createdAt}, ${s.updatedAt}, ${s.deletedAt}))`,
      ...targets.map(
        (
          t,
          i,
        ) => Prisma.sql`${Prisma.raw(`target${i}`)} AS (INSERT INTO "SimulcastTarget" (id, "liveStreamId", url, "streamKeyEncrypted", passthrough, "createdAt")
          VALUES (${newId('simulcastTarget')}, ${s.id}, ${t.url}, ${t.streamKeyEncrypted}, ${t.passthrough}, ${new Date(s.createdAt.getTime() + i)}))`,
      ),
      ...effects.map((e, i) => Prisma.sql`${Prisma.raw(`effect${i}`)} AS (${e})`),
      Prisma.sql`notified AS (${NOTIFY_SQL})`,
    ];
    await this.db.$queryRaw`WITH ${Prisma.join(ctes, ', ')} SELECT 1 AS done FROM notified`;
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
