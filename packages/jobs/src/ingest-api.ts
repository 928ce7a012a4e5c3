// The internal API between ingest nodes and the API, declared once: the API's routes validate
// requests and serialize answers with these schemas, and the ingest's client is typed by them.
import { type Static, Type } from 'typebox';

const LatencyMode = Type.Union([Type.Literal('standard'), Type.Literal('low')]);

export const IngestSessionParams = Type.Object({ sessionId: Type.String({ pattern: '^lss_[0-9A-Za-z]{22}$' }) }, { additionalProperties: false });
export const IngestNodeParams = Type.Object({ nodeId: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });

/** What the ingest measures of a publish (heartbeats carry it; the ladder plans from it). */
export const SessionStats = Type.Object(
  {
    videoCodec: Type.Optional(Type.String({ maxLength: 32 })),
    /** RFC 6381, e.g. avc1.64001f, read from the encoder's AVC configuration record. */
    videoCodecString: Type.Optional(Type.String({ pattern: '^avc1\\.[0-9a-fA-F]{6}$' })),
    audioCodec: Type.Optional(Type.String({ maxLength: 32 })),
    width: Type.Optional(Type.Integer({ minimum: 0 })),
    height: Type.Optional(Type.Integer({ minimum: 0 })),
    fps: Type.Optional(Type.Number({ minimum: 0 })),
    bitrateKbps: Type.Optional(Type.Number({ minimum: 0 })),
    keyframeIntervalSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    /** The encoder sends B-frames (frames out of display order). */
    bFrames: Type.Optional(Type.Boolean()),
    /** Ingest wall time (ms) of the publish's content time 0: segments are stamped from it. */
    timelineEpochMs: Type.Optional(Type.Integer({ minimum: 0 })),
    /**
     * How the encoder reached the node: srt and whip are bridged into its RTMP server. A WHIP
     * publisher's keyframes come when the bridge asks the browser for them, at no guaranteed spacing.
     */
    protocol: Type.Optional(Type.Union([Type.Literal('rtmp'), Type.Literal('srt'), Type.Literal('whip')])),
  },
  { additionalProperties: false },
);
export type SessionStats = Static<typeof SessionStats>;
export const SessionStatsBody = Type.Object({ stats: Type.Optional(SessionStats) }, { additionalProperties: false });

export const AuthorizeRequest = Type.Object(
  {
    streamKey: Type.String({ minLength: 1, maxLength: 256 }),
    ingestNodeId: Type.String({ minLength: 1, maxLength: 128 }),
    ingestAddress: Type.String({ pattern: '^rtmps?://', maxLength: 512 }),
    clientIp: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type AuthorizeRequest = Static<typeof AuthorizeRequest>;

export const AuthorizeAnswer = Type.Union([
  Type.Object({ allow: Type.Literal(false), reason: Type.String() }),
  Type.Object({
    allow: Type.Literal(true),
    liveStreamId: Type.String(),
    sessionId: Type.String(),
    resumed: Type.Boolean(),
    playbackId: Type.String(),
    renditions: Type.Array(Type.String()),
    latencyMode: LatencyMode,
    record: Type.Boolean(),
    reconnectWindowSeconds: Type.Integer(),
  }),
]);
export type AuthorizeAnswer = Static<typeof AuthorizeAnswer>;

export const PrecheckRequest = Type.Object({ streamKey: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export const PrecheckAnswer = Type.Object({ allow: Type.Boolean(), reason: Type.Optional(Type.String()), latencyMode: Type.Optional(LatencyMode) });
export type PrecheckAnswer = Static<typeof PrecheckAnswer>;

/** started / heartbeat: whether the API still wants the session (false: disconnect the encoder). */
export const KeepAnswer = Type.Object({ keep: Type.Boolean() });
export type KeepAnswer = Static<typeof KeepAnswer>;
export const NodeStartedAnswer = Type.Object({ sessions: Type.Integer({ minimum: 0 }) });
export type NodeStartedAnswer = Static<typeof NodeStartedAnswer>;
export const StoppedAnswer = Type.Object({ status: Type.String() });
export type StoppedAnswer = Static<typeof StoppedAnswer>;
