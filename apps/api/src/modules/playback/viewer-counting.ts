// Who is watching: every request the playback edge authorizes is a sign of life from one viewer
// (docs/viewers.md). The viewer is the token's `sid` claim, else the player's `vsid` query parameter
// (the player page adds one per page load), else a hash of address and user agent.
import { createHash } from 'node:crypto';
import type { ViewerRecorder } from '@airwave/jobs';
import type { ObjectRef } from './edge.js';

const VSID = /^[A-Za-z0-9_-]{8,64}$/;
/** Media a player fetches to play (not a storyboard, a thumbnail or a playlist). */
const MEDIA = /\.(ts|m4s|mp4|aac)$/;

export interface ViewerSignals {
  sid?: string;
  vsid?: unknown;
  address: string;
  userAgent?: string;
}

export function viewerIdOf(v: ViewerSignals): string {
  if (v.sid) return `sid:${v.sid}`;
  if (typeof v.vsid === 'string' && VSID.test(v.vsid)) return `vsid:${v.vsid}`;
  return `h:${createHash('sha256')
    .update(`${v.address}\n${v.userAgent ?? ''}`)
    .digest('base64url')
    .slice(0, 22)}`;
}

export class ViewerCounting {
  constructor(private readonly recorder: ViewerRecorder) {}

  /**
   * A live stream's objects (playlists, and the media of a broadcast that is not recorded) count
   * toward its current viewers; a recording's media (live or on demand) toward its views and watch time.
   */
  hit(key: string, ref: ObjectRef, signals: ViewerSignals): void {
    if (ref.audience !== 'v') return; // thumbnails are not watching
    const viewer = viewerIdOf(signals);
    if (ref.kind === 'stream') this.recorder.record({ viewer, playbackId: ref.id });
    else if (MEDIA.test(key)) this.recorder.record({ viewer, assetId: ref.id });
  }
}
