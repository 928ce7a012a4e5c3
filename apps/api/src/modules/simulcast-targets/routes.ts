import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, DateTime, errors, idParam, Nullable } from '../../lib/schemas.js';
import { LiveStreamId, SimulcastTargetInput } from '../live-streams/schemas.js';
import { presentSimulcastTarget, type SimulcastTargetService } from './service.js';

const tags = ['live-streams'];
const TargetId = idParam('st', 'Simulcast target id');
const Target = Type.Object(
  {
    id: TargetId,
    liveStreamId: LiveStreamId,
    url: Type.String(),
    hasStreamKey: Type.Boolean(),
    passthrough: Nullable(Type.String()),
    status: Type.Union(
      ['idle', 'starting', 'broadcasting', 'errored'].map((s) => Type.Literal(s)),
      { description: 'The relay to this destination while the stream is live' },
    ),
    error: Nullable(Type.String({ description: 'Why the last relay attempt failed' })),
    createdAt: DateTime,
  },
  { $id: 'SimulcastTarget' },
);
const ref = Type.Ref('SimulcastTarget');
const StreamParams = Type.Object({ id: LiveStreamId }, { additionalProperties: false });
const TargetParams = Type.Object({ id: LiveStreamId, targetId: TargetId }, { additionalProperties: false });

export const simulcastTargetRoutes: FastifyPluginAsyncTypebox<{ service: SimulcastTargetService }> = async (app, { service }) => {
  app.addSchema(Target);
  const base = '/live-streams/:id/simulcast-targets';

  app.post(
    base,
    {
      config: { idempotent: true },
      schema: {
        tags,
        operationId: 'createSimulcastTarget',
        summary: 'Add a simulcast target',
        description: 'Relays every broadcast of the stream to another RTMP service while it is live.',
        params: StreamParams,
        body: SimulcastTargetInput,
        response: { 201: ref, ...errors(...commonErrors, 404, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(presentSimulcastTarget(await service.create(req.projectId, req.params.id, req.body))),
  );

  app.get(
    base,
    {
      schema: {
        tags,
        operationId: 'listSimulcastTargets',
        summary: 'List simulcast targets',
        description:
          "The destinations this stream is relayed to while live (RTMP/RTMPS URLs), with each relay's status. A destination's stream key is never returned: `hasStreamKey` says whether one is set.",
        params: StreamParams,
        response: { 200: Type.Object({ data: Type.Array(ref) }), ...errors(...commonErrors, 404) },
      },
    },
    async (req) => ({ data: (await service.list(req.projectId, req.params.id)).map(presentSimulcastTarget) }),
  );

  app.get(
    `${base}/:targetId`,
    {
      schema: {
        tags,
        operationId: 'getSimulcastTarget',
        summary: 'Get a simulcast target',
        description: 'One destination and its relay status (idle, starting, broadcasting, errored with the reason). Its stream key is never returned.',
        params: TargetParams,
        response: { 200: ref, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => presentSimulcastTarget(await service.get(req.projectId, req.params.id, req.params.targetId)),
  );

  app.delete(
    `${base}/:targetId`,
    {
      schema: {
        tags,
        operationId: 'deleteSimulcastTarget',
        summary: 'Delete a simulcast target',
        description:
          'Removes the destination: later broadcasts are not relayed to it, and a relay running now is not restarted once it ends. The broadcast and the other destinations go on.',
        params: TargetParams,
        response: { 204: Type.Null(), ...errors(...commonErrors, 404) },
      },
    },
    async (req, reply) => {
      await service.delete(req.projectId, req.params.id, req.params.targetId);
      return reply.code(204).send(null);
    },
  );
};
