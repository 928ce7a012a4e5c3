// The playback edge: decides whether a viewer may fetch an object of the bucket. Public content is
// a plain fetch; signed content needs a playback token; a stream with allowedOrigins only plays on
// pages of those origins. The same decision serves the local CDN route (/cdn/*) and the
// auth_request endpoint a caching nginx in front of the bucket asks (docker-compose, docs/).
import { ForbiddenError, NotFoundError, withFinalNewline } from '@airwave/core';
import type { Db } from '@airwave/db';
import HLS from './hls-parser.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import type { Audience, PlaybackTokens } from './tokens.js';

/** A policy change reaches every API process within this long. */
const POLICY_CACHE_MS = 2_000;

// Every path segment starts with a character other than '.', so '..' can never name a parent; the
// same grammar is the whole of what the edge serves (nothing outside a playback id's objects).
const NAME = '[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}';
const LIVE = new RegExp(`^live/([0-9A-Za-z]{32})/((?:${NAME}/){0,3}${NAME})$`);
const VOD = new RegExp(`^vod/(as_[0-9A-Za-z]{22})/((?:${NAME}/){0,2}${NAME})$`);
const THUMB = /^thumbs\/([0-9A-Za-z]{32})\.jpg$/;

export interface ObjectRef {
  kind: 'stream' | 'asset';
  /** Playback id of a stream, or asset id. */
  id: string;
  audience: Audience;
}

/** The object key a request path names, or undefined when it names nothing we serve. */
export function parseObjectPath(path: string): ObjectRef | undefined {
  let m = LIVE.exec(path);
  if (m) return { kind: 'stream', id: m[1]!, audience: 'v' };
  m = THUMB.exec(path);
  if (m) return { kind: 'stream', id: m[1]!, audience: 't' };
  m = VOD.exec(path);
  if (m) return { kind: 'asset', id: m[1]!, audience: m[2] === 'thumbnail.jpg' ? 't' : 'v' };
  return undefined;
}

export interface Policy {
  projectId: string;
  signed: boolean;
  allowedOrigins: string[];
  playbackIds: string[];
}

export interface ViewerRequest {
  token?: string;
  origin?: string;
  referer?: string;
}

/** `https://*.example.com` allows every subdomain of example.com, not example.com itself. */
export function originAllowed(origin: string, allowed: string[]): boolean {
  return allowed.some((pattern) => {
    if (!pattern.includes('*.')) return pattern === origin;
    const [scheme, host] = pattern.split('://*.');
    return origin.startsWith(`${scheme}://`) && origin.slice(scheme!.length + 3).endsWith(`.${host}`);
  });
}

/** The page a request comes from: the Origin header, else the Referer's origin. */
function requestOrigin(req: ViewerRequest): string | undefined {
  if (req.origin && req.origin !== 'null') return req.origin;
  if (!req.referer) return undefined;
  try {
    return new URL(req.referer).origin;
  } catch {
    return undefined;
  }
}

export class PlaybackEdge {
  private readonly policies = new TtlCache<string, Policy | null>(POLICY_CACHE_MS, 50_000);

  constructor(
    private readonly db: Db,
    readonly tokens: PlaybackTokens,
  ) {}

  /** Throws 404 for what we do not serve, 403 for what this viewer may not see. */
  async authorize(path: string, req: ViewerRequest): Promise<{ ref: ObjectRef; policy: Policy; sid?: string }> {
    const ref = parseObjectPath(path);
    if (!ref) throw new NotFoundError('Object');
    const policy = await this.policies.get(`${ref.kind}:${ref.id}`, () => this.loadPolicy(ref));
    if (!policy) throw new NotFoundError('Object');
    if (policy.allowedOrigins.length > 0) {
      const origin = requestOrigin(req);
      if (!origin || !originAllowed(origin, policy.allowedOrigins)) {
        throw new ForbiddenError('origin_not_allowed', 'This content only plays on the pages its owner allowed');
      }
    }
    const { sid } = policy.signed
      ? await this.tokens.verify(req.token, { projectId: policy.projectId, playbackIds: policy.playbackIds, audience: ref.audience })
      : {};
    return { ref, policy, sid };
  }

  private async loadPolicy(ref: ObjectRef): Promise<Policy | null> {
    if (ref.kind === 'stream') {
      const s = await this.db.liveStream.findFirst({ where: { playbackId: ref.id, deletedAt: null } });
      return s && { projectId: s.projectId, signed: s.playbackPolicy === 'signed', allowedOrigins: s.allowedOrigins, playbackIds: [s.playbackId] };
    }
    const a = await this.db.asset.findFirst({ where: { id: ref.id, deletedAt: null }, include: { liveStream: { select: { playbackId: true } } } });
    if (!a) return null;
    // The live playlists of a recorded broadcast name the recording's segments, so the stream's
    // own token also opens them.
    const playbackIds = a.liveStream ? [a.playbackId, a.liveStream.playbackId] : [a.playbackId];
    return { projectId: a.projectId, signed: a.playbackPolicy === 'signed', allowedOrigins: a.allowedOrigins, playbackIds };
  }
}

/**
 * The same playlist with the token on every URI it names, so a stock player (hls.js, Safari)
 * carries it to each child playlist and segment without a custom loader.
 */
export function withToken(playlistText: string, token: string): string {
  const add = (uri: string) => `${uri}${uri.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  const playlist = HLS.parse(playlistText);
  if (playlist.isMasterPlaylist) {
    const done = new WeakSet<object>(); // variants share their audio renditions
    for (const v of playlist.variants) {
      v.uri = add(v.uri);
      for (const r of [...v.audio, ...v.video, ...v.subtitles]) {
        if (r.uri && !done.has(r)) r.uri = add(r.uri);
        done.add(r);
      }
    }
  } else {
    const maps = new WeakSet<object>(); // segments of one run may share their EXT-X-MAP
    for (const s of playlist.segments) {
      // LL-HLS: the segment being written has parts (and the preload hint) but no URI of its own yet.
      if (s.uri) s.uri = add(s.uri);
      if (s.map?.uri && !maps.has(s.map)) s.map.uri = add(s.map.uri);
      if (s.map) maps.add(s.map);
      for (const p of s.parts ?? []) p.uri = add(p.uri);
    }
    for (const p of playlist.prefetchSegments) p.uri = add(p.uri);
    for (const r of playlist.renditionReports) r.uri = add(r.uri);
  }
  return withFinalNewline(HLS.stringify(playlist));
}
