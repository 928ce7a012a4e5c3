// The ffmpeg of a pull: reads the source (a camera over RTSP, another server over RTMP/SRT, an HLS
// playlist) and writes FLV to stdout; the worker pushes that into the ingest under the stream's key,
// so the key is never on a command line. Video is copied (the ladder decodes it once, as for any
// encoder); audio is always made AAC (cameras often send G.711, which the ladder does not take;
// one AAC encode costs about 1 % of a core).

export function buildPullArgs(url: string): string[] {
  const scheme = new URL(url).protocol;
  const input: string[] = [];
  // RTSP over TCP: UDP is lost behind NAT and firewalls; a camera that stops sending for 10 s is gone.
  if (scheme === 'rtsp:' || scheme === 'rtsps:') input.push('-rtsp_transport', 'tcp', '-timeout', '10000000');
  // An HLS source is a live edge to follow, not a file to read from its start.
  if (scheme === 'http:' || scheme === 'https:') input.push('-live_start_index', '-1', '-rw_timeout', '10000000');
  if (scheme === 'rtmp:' || scheme === 'rtmps:') input.push('-rw_timeout', '10000000');
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:2', '-stats_period', '1',
    ...input,
    '-i', url,
    '-map', '0:v:0?', '-map', '0:a:0?',
    '-c:v', 'copy',
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
    '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1',
  ];
}
