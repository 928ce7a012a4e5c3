// Simulcast targets: their one JSON shape, and the one place their status changes (with its webhook).
import type { SimulcastStatus, SimulcastTarget, Tx } from '@airwave/db';
import { recordEvent } from '../events/outbox.js';
import type { EventType } from '../events/types.js';

/** The stream key of a destination is write-only: responses say whether one is set. */
export function presentSimulcastTarget(t: SimulcastTarget) {
  return {
    id: t.id,
    liveStreamId: t.liveStreamId,
    url: t.url,
    hasStreamKey: t.streamKeyEncrypted !== null,
    passthrough: t.passthrough,
    status: t.status,
    error: t.lastError,
    createdAt: t.createdAt.toISOString(),
  };
}

/** Moves a target to `status` (no-op when already there) and records `live_stream.simulcast_target.<status>`. */
export async function setSimulcastStatus(tx: Tx, targetId: string, status: SimulcastStatus, error: string | null = null): Promise<string[]> {
  const target = await tx.simulcastTarget.findUnique({ where: { id: targetId }, include: { liveStream: { select: { projectId: true } } } });
  if (!target || (target.status === status && target.lastError === error)) return [];
  const updated = await tx.simulcastTarget.update({ where: { id: targetId }, data: { status, lastError: error } });
  const type = `live_stream.simulcast_target.${status}` as EventType;
  return [await recordEvent(tx, target.liveStream.projectId, type, presentSimulcastTarget(updated))];
}
