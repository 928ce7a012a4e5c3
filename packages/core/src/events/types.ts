/** Every event a webhook can subscribe to (DESIGN.md §4). */
export const EVENT_TYPES = [
  'live_stream.created',
  'live_stream.updated',
  'live_stream.deleted',
  'live_stream.disabled',
  'live_stream.enabled',
  'live_stream.connected',
  'live_stream.active',
  'live_stream.disconnected',
  'live_stream.idle',
  'live_stream.warning',
  'live_stream.simulcast_target.starting',
  'live_stream.simulcast_target.broadcasting',
  'live_stream.simulcast_target.errored',
  'live_stream.simulcast_target.idle',
  'asset.created',
  'asset.ready',
  'asset.updated',
  'asset.errored',
  'asset.deleted',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The body a receiver gets, as the Standard Webhooks spec suggests: type, timestamp, data. */
export interface EventPayload {
  type: EventType;
  timestamp: string;
  data: Record<string, unknown>;
}
