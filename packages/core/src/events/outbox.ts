import { Prisma, type Tx } from '@airwave/db';
import { newId } from '@airwave/common';
import { jobRowSql, recordJob } from '../outbox/record.js';
import type { EventPayload, EventType } from './types.js';

/**
 * Writes an event in the caller's transaction (transactional outbox): the change, its event and the
 * event's fan-out to webhooks commit or roll back together; the outbox relay enqueues the fan-out.
 */
export async function recordEvent(tx: Tx, projectId: string, type: EventType, data: Record<string, unknown>, now = new Date()): Promise<string> {
  const id = newId('event');
  const payload: EventPayload = { type, timestamp: now.toISOString(), data };
  await tx.event.create({ data: { id, projectId, type, payload: payload as object, createdAt: now } });
  await recordJob(tx, 'webhookFanout', { eventId: id });
  return id;
}

/** recordEvent's rows (the event and its fan-out job) for a single-statement write (outbox/record.ts). */
export function eventRowsSql(projectId: string, type: EventType, data: Record<string, unknown>, now = new Date()): Prisma.Sql[] {
  const id = newId('event');
  const payload: EventPayload = { type, timestamp: now.toISOString(), data };
  return [
    Prisma.sql`INSERT INTO "Event" (id, "projectId", type, payload, "createdAt") VALUES (${id}, ${projectId}, ${type}, ${JSON.stringify(payload)}::jsonb, ${now})`,
    jobRowSql('webhookFanout', { eventId: id }),
  ];
}
