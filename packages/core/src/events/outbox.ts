import type { Tx } from '@airwave/db';
import { newId } from '../ids.js';
import type { EventPayload, EventType } from './types.js';

/**
 * Writes an event in the caller's transaction (transactional outbox): the change and its event
 * commit or roll back together. Fan-out to webhooks happens after commit (see @airwave/jobs).
 */
export async function recordEvent(
  tx: Tx,
  projectId: string,
  type: EventType,
  data: Record<string, unknown>,
  now = new Date(),
): Promise<string> {
  const id = newId('event');
  const payload: EventPayload = { type, timestamp: now.toISOString(), data };
  await tx.event.create({ data: { id, projectId, type, payload: payload as object, createdAt: now } });
  return id;
}
