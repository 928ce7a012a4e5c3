import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, DateTime, errors, idParam, Page, PageQuery } from '../../lib/schemas.js';
import { presentSigningKey, type SigningKeyService } from './service.js';

const SigningKeyId = idParam('sk', 'Signing key id');
const SigningKey = Type.Object({ id: SigningKeyId, createdAt: DateTime }, { $id: 'SigningKey' });
const CreatedSigningKey = Type.Object({
  id: SigningKeyId,
  createdAt: DateTime,
  algorithm: Type.Literal('RS256'),
  privateKey: Type.String({ description: 'PKCS#8 PEM. Shown once: Airwave keeps only the public key.' }),
});
const Params = Type.Object({ id: SigningKeyId }, { additionalProperties: false });
const PageQ = Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }, { additionalProperties: false });
const ref = Type.Ref('SigningKey');
const tags = ['playback'];

export const signingKeyRoutes: FastifyPluginAsyncTypebox<{ service: SigningKeyService }> = async (app, { service }) => {
  app.addSchema(SigningKey);

  app.post(
    '/signing-keys',
    {
      config: { idempotent: true },
      schema: {
        tags,
        operationId: 'createSigningKey',
        summary: 'Create a playback signing key',
        description:
          'Sign playback tokens (JWT, RS256) with the private key: header `kid` = the key id; claims `sub` = playback id, `aud` = `v` (video) or `t` (thumbnail), `exp`. Pass them as `?token=`.',
        response: { 201: CreatedSigningKey, ...errors(...commonErrors) },
      },
    },
    async (req, reply) => reply.code(201).send(await service.create(req.projectId)),
  );

  app.get(
    '/signing-keys',
    {
      schema: {
        tags,
        operationId: 'listSigningKeys',
        summary: 'List signing keys (public halves are not shown)',
        description: "The project's playback signing keys (ids and creation times), newest first. Airwave keeps only the public halves and never shows them.",
        querystring: PageQ,
        response: { 200: Page(ref), ...errors(...commonErrors) },
      },
    },
    async (req) => service.list(req.projectId, req.query),
  );

  app.get(
    '/signing-keys/:id',
    {
      schema: {
        tags,
        operationId: 'getSigningKey',
        summary: 'Get a signing key',
        description: "A signing key's id and creation time: the `kid` your playback tokens name.",
        params: Params,
        response: { 200: ref, ...errors(...commonErrors, 404) },
      },
    },
    async (req) => presentSigningKey(await service.get(req.projectId, req.params.id)),
  );

  app.delete(
    '/signing-keys/:id',
    {
      schema: {
        tags,
        operationId: 'deleteSigningKey',
        summary: 'Delete a signing key: tokens it signed stop working within seconds',
        description:
          'Revokes the key: every playback token it signed stops working within seconds (players get 403). Create another key first to rotate without an outage.',
        params: Params,
        response: { 204: Type.Null(), ...errors(...commonErrors, 404) },
      },
    },
    async (req, reply) => {
      await service.delete(req.projectId, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/playback-tokens',
    {
      // A `playback` key (or any write key) may mint; nothing else needs to be in a viewer-facing back end.
      config: { scope: 'playback' },
      schema: {
        tags,
        operationId: 'createPlaybackToken',
        summary: 'Mint a short-lived playback token signed by Airwave',
        description: 'For tests and back ends without a JWT library. Production apps usually sign their own with a signing key.',
        body: Type.Object(
          {
            playbackId: Type.String({ pattern: '^[0-9A-Za-z]{32}$' }),
            audience: Type.Optional(
              Type.Union([Type.Literal('v'), Type.Literal('t')], { default: 'v', description: 'v: video (playlists, segments, MP4); t: thumbnails' }),
            ),
            expiresInSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400, default: 3600 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ token: Type.String(), playbackId: Type.String(), audience: Type.String(), expiresAt: DateTime }),
          ...errors(...commonErrors, 404),
        },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await service.mintToken(req.projectId, req.body.playbackId, req.body.audience ?? 'v', req.body.expiresInSeconds ?? 3600)),
  );
};
