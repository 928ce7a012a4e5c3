// The transactional outbox: what a state change implies (a job, a control message) is written in
// the change's own transaction, so the two commit or roll back together. The relay (relay.ts)
// dispatches it after commit; nothing is enqueued by a caller, so a Redis outage at the wrong
// moment delays an effect instead of losing it.
import { Prisma, type Tx } from '@airwave/db';
import type { JobName, PayloadOf, SessionControlMessage, jobs } from '@airwave/jobs';
import { newId } from '@airwave/common';

/** Wakes the relays (in every API and worker process) when the transaction commits. */
export const OUTBOX_CHANNEL = 'airwave_outbox';

async function write(tx: Tx, kind: 'job' | 'control', name: string, payload: object, runAt?: Date): Promise<void> {
  await tx.outboxMessage.create({ data: { id: newId('outbox'), kind, name, payload, runAt } });
  // Delivered on commit only, once per transaction however many rows; the payload says which schema.
  await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, current_schema())`;
}

/** A job of the registry, enqueued after commit (no earlier than `runAt`). */
export function recordJob<K extends JobName>(tx: Tx, job: K, payload: PayloadOf<(typeof jobs)[K]>, runAt?: Date): Promise<void> {
  return write(tx, 'job', job, payload as object, runAt);
}

/** A session-control message (stop a publisher, stop the ffmpeg pulling a session), published after commit. */
export function recordControl(tx: Tx, message: SessionControlMessage): Promise<void> {
  return write(tx, 'control', message.type, message);
}

/**
 * The same rows for a write made as one statement (data-modifying CTEs: atomic without a
 * transaction's extra round trips): an outbox job row, and the commit notification, which must be
 * selected by the statement's final SELECT to run (`FROM …, notified`).
 */
export function jobRowSql<K extends JobName>(job: K, payload: PayloadOf<(typeof jobs)[K]>): Prisma.Sql {
  return Prisma.sql`INSERT INTO "OutboxMessage" (id, kind, name, payload) VALUES (${newId('outbox')}, 'job', ${job}, ${JSON.stringify(payload)}::jsonb)`;
}
export const NOTIFY_SQL = Prisma.sql`SELECT pg_notify(${OUTBOX_CHANNEL}, current_schema())`;
