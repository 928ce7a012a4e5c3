// Fragmented MP4 (CMAF) as LL-HLS needs it: which fragment starts with a sync sample on every track
// (an independent part, where a segment may begin), and fragments without the per-fragment `sidx`
// ffmpeg writes (segments are made by concatenating parts). ISO/IEC 14496-12 boxes, read directly.

interface Box {
  type: string;
  start: number;
  end: number;
}

function boxes(buf: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  for (let o = start; o + 8 <= end; ) {
    let size = buf.readUInt32BE(o);
    if (size === 1 && o + 16 <= end) size = Number(buf.readBigUInt64BE(o + 8));
    else if (size === 0) size = end - o;
    if (size < 8 || o + size > end) break;
    out.push({ type: buf.toString('latin1', o + 4, o + 8), start: o, end: o + size });
    o += size;
  }
  return out;
}

const NON_SYNC = 0x00010000;

/** Whether the first sample of a track fragment is a sync sample (trun first-sample flags, else its first sample's, else tfhd's default). */
function trafStartsWithSync(buf: Buffer, traf: Box): boolean {
  const kids = boxes(buf, traf.start + 8, traf.end);
  const tfhd = kids.find((k) => k.type === 'tfhd');
  const trun = kids.find((k) => k.type === 'trun');
  if (!tfhd || !trun) return false;
  const tfFlags = buf.readUInt32BE(tfhd.start + 8) & 0xffffff;
  let p = tfhd.start + 16; // after version/flags and track_ID
  if (tfFlags & 0x1) p += 8; // base_data_offset
  if (tfFlags & 0x2) p += 4; // sample_description_index
  if (tfFlags & 0x8) p += 4; // default_sample_duration
  if (tfFlags & 0x10) p += 4; // default_sample_size
  const defaultFlags = tfFlags & 0x20 ? buf.readUInt32BE(p) : undefined;
  const trFlags = buf.readUInt32BE(trun.start + 8) & 0xffffff;
  let q = trun.start + 16; // after version/flags and sample_count
  if (trFlags & 0x1) q += 4; // data_offset
  let flags: number | undefined;
  if (trFlags & 0x4) flags = buf.readUInt32BE(q);
  else if (trFlags & 0x400) {
    q += (trFlags & 0x100 ? 4 : 0) + (trFlags & 0x200 ? 4 : 0);
    flags = buf.readUInt32BE(q);
  } else flags = defaultFlags;
  return flags !== undefined && (flags & NON_SYNC) === 0;
}

export interface Fragment {
  /** Every track starts with a sync sample: decodable on its own (INDEPENDENT=YES, a segment may start here). */
  independent: boolean;
  /** The fragment without `sidx` boxes. */
  body: Buffer;
}

export function readFragment(buf: Buffer): Fragment {
  const top = boxes(buf, 0, buf.length);
  const moof = top.find((b) => b.type === 'moof');
  const trafs = moof ? boxes(buf, moof.start + 8, moof.end).filter((b) => b.type === 'traf') : [];
  const independent = trafs.length > 0 && trafs.every((t) => trafStartsWithSync(buf, t));
  const kept = top.filter((b) => b.type !== 'sidx');
  const body = kept.length === top.length ? buf : Buffer.concat(kept.map((b) => buf.subarray(b.start, b.end)));
  return { independent, body };
}

/**
 * The one naming rule of fMP4 runs: segments and parts are `<runTag>_<n>.m4s` / `<runTag>_<n>.part.m4s`
 * and the run's initialization segment is `init_<runTag>.mp4` beside them (live and VOD playlists
 * find their EXT-X-MAP from it).
 */
export function initSegmentFor(segmentUri: string): string | undefined {
  const m = /^(.*\/)?([^/]+)_\d+(?:\.part)?\.m4s$/.exec(segmentUri);
  return m ? `${m[1] ?? ''}init_${m[2]}.mp4` : undefined;
}
