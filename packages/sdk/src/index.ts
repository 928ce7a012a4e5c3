// The Airwave API as a typed client: openapi-fetch over the types openapi-typescript generates from
// openapi/openapi.json (src/schema.ts, rewritten by `npm run openapi`). Every path, body, query and
// answer is checked by TypeScript; `unwrap` turns the error envelope into an exception, `paginate`
// walks a list's cursors, `idempotencyKey` makes a create safe to retry.
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
export type LiveStream = components['schemas']['LiveStream'];
export type Asset = components['schemas']['Asset'];
export type Webhook = components['schemas']['Webhook'];
export type ErrorEnvelope = components['schemas']['ErrorEnvelope'];
export type Airwave = Client<paths>;

export interface AirwaveOptions {
  /** An API key (`aw_sk_…`), sent as a bearer token. */
  apiKey: string;
  /** Where the API answers; `npm run up` prints it (default http://localhost:3000). */
  baseUrl?: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

export function createAirwave({ apiKey, baseUrl = 'http://localhost:3000', fetch }: AirwaveOptions): Airwave {
  return createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), headers: { authorization: `Bearer ${apiKey}` }, ...(fetch ? { fetch } : {}) });
}

/** An Airwave error answer: the HTTP status and the envelope's code, message and details. */
export class AirwaveError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorEnvelope['error']['details'] = [],
  ) {
    super(message);
    this.name = 'AirwaveError';
  }
}

/** The answer's body, or an AirwaveError for an error answer. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error === undefined && result.response.ok) return result.data as T;
  const envelope = result.error as Partial<ErrorEnvelope> | undefined;
  const e = envelope?.error;
  throw new AirwaveError(result.response.status, e?.code ?? 'http_error', e?.message ?? `HTTP ${result.response.status}`, e?.details);
}

/** A fresh `Idempotency-Key` header: send the same one again when retrying and only one thing is made. */
export const idempotencyKey = (key: string = crypto.randomUUID()) => ({ 'idempotency-key': key });

/**
 * Every item of a cursor-paginated list, fetching page after page as it is read:
 * `for await (const s of paginate((cursor) => airwave.GET('/v1/live-streams', { params: { query: { cursor } } })))`.
 */
export async function* paginate<T>(
  page: (cursor: string | undefined) => Promise<{ data?: { data: T[]; nextCursor: string | null }; error?: unknown; response: Response }>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const body = unwrap(await page(cursor));
    yield* body.data;
    cursor = body.nextCursor ?? undefined;
  } while (cursor);
}
