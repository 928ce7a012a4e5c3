import type { Config } from '@airwave/config';
import { checkTargetUrl, encryptSecret, newId, NotFoundError, ValidationError } from '@airwave/core';
export { presentSimulcastTarget } from '@airwave/core';
import type { Db, SimulcastTarget, Tx } from '@airwave/db';
import type { Static } from 'typebox';
import type { SimulcastTargetInput } from '../live-streams/schemas.js';

type Input = Static<typeof SimulcastTargetInput>;
export interface PreparedTarget {
  url: string;
  streamKeyEncrypted: string | null;
  passthrough: string | null;
}

const MAX_TARGETS = 10;

export class SimulcastTargetService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  /** Validates a destination before anything is written (no relays into our own network). */
  async prepare(input: Input): Promise<PreparedTarget> {
    const verdict = await checkTargetUrl(input.url, this.config.allowPrivateTargets);
    if (!verdict.ok) throw new ValidationError(`Simulcast url refused: ${verdict.reason}`, [{ field: 'url', message: verdict.reason }]);
    return {
      url: input.url,
      streamKeyEncrypted: input.streamKey ? encryptSecret(input.streamKey, this.config.secretsKey, 's1') : null,
      passthrough: input.passthrough ?? null,
    };
  }

  async insert(tx: Tx, liveStreamId: string, t: PreparedTarget): Promise<SimulcastTarget> {
    const count = await tx.simulcastTarget.count({ where: { liveStreamId } });
    if (count >= MAX_TARGETS) throw new ValidationError(`A live stream has at most ${MAX_TARGETS} simulcast targets`);
    return tx.simulcastTarget.create({ data: { id: newId('simulcastTarget'), liveStreamId, ...t } });
  }

  private async stream(projectId: string, liveStreamId: string) {
    const s = await this.db.liveStream.findFirst({ where: { id: liveStreamId, projectId, deletedAt: null }, select: { id: true } });
    if (!s) throw new NotFoundError('Live stream');
    return s;
  }

  async create(projectId: string, liveStreamId: string, input: Input) {
    await this.stream(projectId, liveStreamId);
    const prepared = await this.prepare(input);
    return this.db.$transaction((tx) => this.insert(tx, liveStreamId, prepared));
  }

  async list(projectId: string, liveStreamId: string) {
    await this.stream(projectId, liveStreamId);
    return this.db.simulcastTarget.findMany({ where: { liveStreamId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  async get(projectId: string, liveStreamId: string, id: string) {
    await this.stream(projectId, liveStreamId);
    const t = await this.db.simulcastTarget.findFirst({ where: { id, liveStreamId } });
    if (!t) throw new NotFoundError('Simulcast target');
    return t;
  }

  async delete(projectId: string, liveStreamId: string, id: string): Promise<void> {
    const t = await this.get(projectId, liveStreamId, id);
    await this.db.simulcastTarget.delete({ where: { id: t.id } });
  }
}
