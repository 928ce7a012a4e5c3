// Messages between the API, ingest nodes and workers about live sessions, over Redis pub/sub.
// `stop-session`: the API ended a session (disable, delete, complete): the ingest holding it drops
// the publisher and workers stop transcoding it. `publish-stopped`: the encoder left (the session may
// still resume): workers stop their ffmpeg. Heartbeats answer `keep: false` for an ended session
// too, so a missed message is caught within 5 s.
import { createHmac } from 'node:crypto';

export const ingestControlChannel = (prefix: string) => `${prefix}:session-control`;

export interface StopSessionMessage {
  type: 'stop-session';
  sessionId: string;
  ingestNodeId: string;
  reason: string;
}

export interface PublishStoppedMessage {
  type: 'publish-stopped';
  sessionId: string;
}

export type SessionControlMessage = StopSessionMessage | PublishStoppedMessage;

/** Workers pull a stream from the ingest with this token; nobody else may play from an ingest. */
export function ingestPullToken(internalToken: string, streamName: string): string {
  return createHmac('sha256', internalToken).update(`pull:${streamName}`).digest('base64url').slice(0, 32);
}
