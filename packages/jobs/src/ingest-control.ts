// The API tells ingest nodes to drop a publisher (disable, delete, complete) over Redis pub/sub.
// Heartbeats answer `keep: false` for an ended session too, so a missed message is caught within 5 s.
export const ingestControlChannel = (prefix: string) => `${prefix}:ingest-control`;

export interface StopSessionMessage {
  type: 'stop-session';
  sessionId: string;
  ingestNodeId: string;
  reason: string;
}
