// Opaque keyset cursors: newest first by (createdAt, id), so rows inserted while a client pages
// never shift or repeat a page. A cursor is signed and bound to the project and the listing it came
// from, so a forged, edited or foreign one is refused with 400 instead of silently misbehaving.
import { createHmac } from 'node:crypto';
import { ValidationError } from './errors.js';
import { safeEqual } from './secrets.js';

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  private sign(scope: string, body: string): string {
    return createHmac('sha256', this.key).update(`${scope}\n${body}`).digest('base64url').slice(0, 22);
  }

  encode(scope: string, pos: CursorPosition): string {
    const body = Buffer.from(JSON.stringify([pos.createdAt.getTime(), pos.id])).toString('base64url');
    return `${body}.${this.sign(scope, body)}`;
  }

  decode(scope: string, cursor: string): CursorPosition {
    const invalid = () => new ValidationError('Invalid cursor', [{ field: 'cursor', message: 'not a cursor from this listing' }]);
    const [body, sig, extra] = cursor.split('.');
    if (!body || !sig || extra !== undefined || !safeEqual(sig, this.sign(scope, body))) throw invalid();
    try {
      const [ms, id] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [number, string];
      if (!Number.isFinite(ms) || typeof id !== 'string') throw invalid();
      return { createdAt: new Date(ms), id };
    } catch {
      throw invalid();
    }
  }
}

/** Prisma `where`/`orderBy` fragments for the page after `pos`, newest first. */
export function keysetAfter(pos: CursorPosition | undefined) {
  return pos ? { OR: [{ createdAt: { lt: pos.createdAt } }, { createdAt: pos.createdAt, id: { lt: pos.id } }] } : {};
}
export const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

export const DEFAULT_PAGE_SIZE = 25;

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/**
 * One page of a listing: decodes the cursor for `scope`, fetches `limit + 1` rows (the extra row
 * says whether a next page exists without a count) and presents the rest.
 */
export async function paginate<T extends CursorPosition, V>(
  codec: CursorCodec,
  scope: string,
  q: PageRequest,
  fetch: (take: number, after: CursorPosition | undefined) => Promise<T[]>,
  present: (row: T) => V,
): Promise<{ data: V[]; nextCursor: string | null }> {
  const limit = q.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await fetch(limit + 1, q.cursor ? codec.decode(scope, q.cursor) : undefined);
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data: data.map(present), nextCursor: rows.length > limit && last ? codec.encode(scope, last) : null };
}
