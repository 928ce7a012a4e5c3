import { RENDITION_NAMES } from '@airwave/core';
import { Type } from 'typebox';
import { AllowedOrigins, DateTime, idParam, Nullable, Page, PageQuery } from '../../lib/schemas.js';

export const LiveStreamId = idParam('ls', 'Live stream id');
export const StreamParams = Type.Object({ id: LiveStreamId }, { additionalProperties: false });

const Status = Type.Union(['idle', 'connected', 'active', 'reconnecting', 'disabled'].map((s) => Type.Literal(s)));
const Rendition = Type.Union(RENDITION_NAMES.map((r) => Type.Literal(r)));

export const mutableFields = {
  name: Type.String({ minLength: 1, maxLength: 200, examples: ['Friday keynote'] }),
  record: Type.Boolean({ description: 'Turn each broadcast into a VOD asset (default true)' }),
  playbackPolicy: Type.Union([Type.Literal('public'), Type.Literal('signed')]),
  latencyMode: Type.Union([Type.Literal('standard'), Type.Literal('low')], { description: 'standard: 4 s segments; low: 1 s' }),
  reconnectWindowSeconds: Type.Integer({ minimum: 0, maximum: 1800, description: 'How long a dropped encoder may come back into the same session' }),
  dvrWindowSeconds: Type.Integer({ minimum: 0, maximum: 14400, description: 'Seconds the live playlists keep so viewers can rewind (0: only the live edge)' }),
  renditions: Type.Array(Rendition, { minItems: 1, maxItems: 5, uniqueItems: true, description: 'Ladder rungs; those above the source are skipped' }),
  passthrough: Nullable(Type.String({ maxLength: 1024, description: 'Your own metadata, up to 1 KB' })),
  allowedOrigins: AllowedOrigins,
};

export const StreamInput = Type.Union(
  [
    Type.Object({ type: Type.Literal('push') }, { additionalProperties: false }),
    Type.Object(
      {
        type: Type.Literal('pull'),
        url: Type.String({
          maxLength: 2048,
          description: 'rtsp://, rtsps://, rtmp://, rtmps://, srt:// or an http(s):// HLS playlist; credentials may be in it (stored encrypted, shown masked)',
          examples: ['rtsp://user:pass@camera.example.com:554/stream1'],
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'push (default): an encoder publishes to the ingest. pull: a worker pulls the URL into the ingest while the stream is enabled' },
);

export const SimulcastTargetInput = Type.Object(
  {
    url: Type.String({ pattern: '^rtmps?://', maxLength: 2048, description: 'rtmp:// or rtmps:// ingest URL of the destination' }),
    streamKey: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    passthrough: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
  },
  { additionalProperties: false },
);

export const CreateLiveStreamBody = Type.Object(
  {
    name: mutableFields.name,
    record: Type.Optional(mutableFields.record),
    playbackPolicy: Type.Optional(mutableFields.playbackPolicy),
    latencyMode: Type.Optional(mutableFields.latencyMode),
    reconnectWindowSeconds: Type.Optional(mutableFields.reconnectWindowSeconds),
    dvrWindowSeconds: Type.Optional(mutableFields.dvrWindowSeconds),
    renditions: Type.Optional(mutableFields.renditions),
    passthrough: Type.Optional(mutableFields.passthrough),
    allowedOrigins: Type.Optional(mutableFields.allowedOrigins),
    simulcastTargets: Type.Optional(Type.Array(SimulcastTargetInput, { maxItems: 10 })),
    input: Type.Optional(StreamInput),
  },
  { additionalProperties: false },
);

export const UpdateLiveStreamBody = Type.Partial(Type.Object({ ...mutableFields, input: StreamInput }), {
  additionalProperties: false,
  minProperties: 1,
});

export const ListLiveStreamsQuery = Type.Object(
  { limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor), status: Type.Optional(Status) },
  { additionalProperties: false },
);

export const LiveStream = Type.Object(
  {
    id: LiveStreamId,
    name: Type.String({ examples: ['Friday keynote'] }),
    status: Status,
    statusChangedAt: DateTime,
    record: Type.Boolean(),
    playbackPolicy: mutableFields.playbackPolicy,
    latencyMode: mutableFields.latencyMode,
    reconnectWindowSeconds: Type.Integer(),
    dvrWindowSeconds: Type.Integer(),
    input: Type.Union([
      Type.Object({ type: Type.Literal('push') }),
      Type.Object({
        type: Type.Literal('pull'),
        url: Type.String({ description: 'The source, its password masked' }),
        state: Type.String({ description: 'connecting | receiving | retrying | stopped (disabled)' }),
        error: Nullable(Type.String({ description: 'Why the source is not being received (unreachable, refused, not allowed)' })),
      }),
    ]),
    renditions: Type.Array(Rendition),
    passthrough: Nullable(Type.String()),
    allowedOrigins: Type.Array(Type.String()),
    streamKey: Type.String({
      description: 'Secret: the RTMP stream name. Reset it with reset-stream-key.',
      examples: ['aw_live_q1CMlZ4X0sV9pJt7uYwWb3nR8eKfHd2a'],
    }),
    rtmpUrl: Type.String({ examples: ['rtmp://localhost:1935/live'] }),
    rtmpsUrl: Type.String({ description: 'RTMP over TLS (required by YouTube, Twitch, Facebook-style encoders)', examples: ['rtmps://localhost:1936/live'] }),
    srtUrl: Nullable(
      Type.String({
        description: 'SRT caller URL (MPEG-TS), stream key as the stream id; null when this deployment has no SRT ingest',
        examples: ['srt://localhost:8890?streamid=aw_live_…'],
      }),
    ),
    ingestUrl: Type.String({
      description: 'rtmpUrl + "/" + streamKey, for encoders that take one URL',
      examples: ['rtmp://localhost:1935/live/aw_live_q1CMlZ4X0sV9pJt7uYwWb3nR8eKfHd2a'],
    }),
    whipUrl: Nullable(
      Type.String({
        description:
          'WebRTC publishing (WHIP): POST an SDP offer (H.264 + Opus) with `Authorization: Bearer <streamKey>`; null when this deployment has no WHIP ingest',
        examples: ['http://localhost:8889/whip'],
      }),
    ),
    playbackId: Type.String({ examples: ['Xk3pQ9rT2mV7wY1zA4bC6dE8fG0hJ5kL'] }),
    thumbnailUrl: Type.String({
      description: 'JPEG from the live ladder, refreshed about every 10 s while active',
      examples: ['http://localhost:3000/cdn/thumbs/Xk3pQ9rT2mV7wY1zA4bC6dE8fG0hJ5kL/thumbnail.jpg'],
    }),
    playback: Type.Object({
      policy: mutableFields.playbackPolicy,
      hlsUrl: Type.String({ examples: ['http://localhost:3000/cdn/live/Xk3pQ9rT2mV7wY1zA4bC6dE8fG0hJ5kL/index.m3u8'] }),
      whepUrl: Type.String({
        description: 'WebRTC playback (WHEP), under half a second behind the encoder; signed streams take ?token= as hlsUrl does',
        examples: ['http://localhost:3000/whep/Xk3pQ9rT2mV7wY1zA4bC6dE8fG0hJ5kL'],
      }),
      playerUrl: Type.String({ examples: ['http://localhost:3000/play/Xk3pQ9rT2mV7wY1zA4bC6dE8fG0hJ5kL'] }),
    }),
    currentSessionId: Nullable(Type.String({ examples: ['lss_4fJ8kL2mN6pQ0rS3tU7vW9'] })),
    viewers: Type.Object(
      {
        current: Type.Integer({ description: 'Viewers of the current broadcast now: HLS players that fetched anything in the last 6 s, and WebRTC viewers' }),
        peak: Type.Integer({ description: 'Most viewers at once during the current broadcast (distinct viewers in a 10 s window)' }),
      },
      { description: 'Counted by the playback edges, without a player SDK (docs/viewers.md)' },
    ),
    activeAssetId: Nullable(Type.String({ description: 'The recording of the broadcast in progress', examples: ['as_7hJ2kL4mN6pQ8rS0tU1vW3'] })),
    recentAssetIds: Type.Array(Type.String({ examples: ['as_7hJ2kL4mN6pQ8rS0tU1vW3'] }), { description: 'Recordings of the latest broadcasts, newest first' }),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'LiveStream' },
);

export const LiveStreamPage = Page(Type.Ref('LiveStream'));

export const Session = Type.Object(
  {
    id: Type.String(),
    liveStreamId: LiveStreamId,
    status: Type.Union(['connected', 'active', 'reconnecting', 'ended'].map((s) => Type.Literal(s))),
    startedAt: DateTime,
    endedAt: Nullable(DateTime),
    endReason: Nullable(Type.String()),
    ingestNodeId: Type.String(),
    reconnects: Type.Integer(),
    viewersPeak: Type.Integer({ description: 'Most viewers at once during this session' }),
    stats: Nullable(
      Type.Object(
        {},
        { additionalProperties: true, description: 'Last encoder stats from the ingest: codecs, width, height, fps, bitrateKbps, keyframeIntervalSeconds' },
      ),
    ),
    transcode: Nullable(Type.Object({}, { additionalProperties: true, description: "The transcoder's speed (1.0 = real time) and dropped frames" })),
    health: Type.Object({
      verdict: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]),
      reasons: Type.Array(
        Type.Object({
          code: Type.String({ examples: ['keyframe_interval_too_long', 'bitrate_below_lowest_rendition', 'transcoder_slower_than_realtime', 'audio_missing'] }),
          severity: Type.Union([Type.Literal('degraded'), Type.Literal('unhealthy')]),
          message: Type.String(),
        }),
      ),
    }),
    lastSeenAt: DateTime,
    transcodePath: Nullable(Type.String()),
    error: Nullable(Type.String({ description: 'Why the media pipeline could not process this session' })),
    assetId: Nullable(Type.String()),
  },
  { $id: 'LiveStreamSession' },
);

export const SessionPage = Page(Type.Ref('LiveStreamSession'));

export const ViewersQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: an hour before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
  },
  { additionalProperties: false },
);

export const ViewerSeries = Type.Object({
  liveStreamId: LiveStreamId,
  bucketSeconds: Type.Literal(10),
  data: Type.Array(Type.Object({ t: DateTime, viewers: Type.Integer({ description: 'Distinct viewers in the 10 s starting at t' }) })),
});
export const SessionsQuery = Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }, { additionalProperties: false });
