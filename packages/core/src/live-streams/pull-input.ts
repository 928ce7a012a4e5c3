// Pull ingest: the sources a worker can pull (DESIGN: a camera or another server that cannot push),
// and how a source URL is shown back (its credentials masked).

/** rtsp(s):// cameras and NVRs, rtmp(s):// and srt:// servers, HLS over http(s). */
export const PULL_SCHEMES = ['rtsp:', 'rtsps:', 'rtmp:', 'rtmps:', 'srt:', 'http:', 'https:'] as const;

export function pullUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (!(PULL_SCHEMES as readonly string[]).includes(u.protocol))
    return `${u.protocol.replace(':', '')} cannot be pulled: use rtsp://, rtmp://, rtmps://, srt:// or an https:// HLS playlist`;
  if ((u.protocol === 'http:' || u.protocol === 'https:') && !/\.m3u8$/i.test(u.pathname)) return 'an http(s) source must be an HLS playlist (.m3u8)';
  if (!u.hostname) return 'the URL names no host';
  return undefined;
}

/** The URL with its password (and an SRT passphrase) replaced by `***`: what the API shows. */
export function maskPullUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  for (const k of ['passphrase', 'password', 'token', 'key']) if (u.searchParams.has(k)) u.searchParams.set(k, '***');
  return u.toString().replaceAll('%2A%2A%2A', '***');
}

/** The live stream's `input`, as the API shows it. */
export function presentInput(s: { inputType: 'push' | 'pull'; inputUrlMasked: string | null; inputState: string | null; inputError: string | null }) {
  if (s.inputType === 'push') return { type: 'push' as const };
  // No state: nothing pulls it now (the stream is disabled).
  return { type: 'pull' as const, url: s.inputUrlMasked ?? '', state: s.inputState ?? 'stopped', error: s.inputError };
}
