// Schemas shared by every module: the error envelope, pagination and id parameters.
import { Type, type TSchema } from 'typebox';

export const ErrorEnvelope = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ examples: ['validation_failed'] }),
      message: Type.String(),
      details: Type.Array(Type.Object({}, { additionalProperties: true })),
    }),
  },
  { $id: 'ErrorEnvelope', description: 'The one error shape of every Airwave error response' },
);

const errorRef = Type.Ref('ErrorEnvelope');

/** Error responses a route can answer with, besides its success status. */
export function errors(...codes: number[]): Record<number, TSchema> {
  return Object.fromEntries(codes.map((c) => [c, errorRef]));
}

/**
 * Every API-key route may answer these (403 `insufficient_scope`: the key lacks the route's scope;
 * 503: the database is unreachable, retry after Retry-After).
 */
export const commonErrors = [400, 401, 403, 429, 503];

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 25, description: 'Page size (1–100)' }),
  cursor: Type.String({ minLength: 1, maxLength: 512, description: 'Opaque `nextCursor` of the previous page' }),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
  });
}

export const idParam = (prefix: string, description: string) => Type.String({ pattern: `^${prefix}_[0-9A-Za-z]{22}$`, description });

export const DateTime = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Referrer restriction of playback (streams and assets). */
export const AllowedOrigins = Type.Array(
  Type.String({ pattern: '^https?://(\\*\\.)?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$', maxLength: 255, examples: ['https://example.com'] }),
  {
    maxItems: 20,
    uniqueItems: true,
    description: 'Pages that may play it, as origins (`https://example.com`, `https://*.example.com`); empty means any. Players elsewhere get 403.',
  },
);

/** Browsers send origins in lower case. */
export const normaliseOrigins = (origins: string[] | undefined) => [...new Set((origins ?? []).map((o) => o.toLowerCase()))];
