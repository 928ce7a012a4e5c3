// H.264 over RTP (RFC 6184): enough to tell where a keyframe starts, so a joining viewer's first
// frame decodes, and a WebRTC publish can be asked for one when needed.

/** NAL unit types: 5 IDR slice, 7 SPS; 24 STAP-A, 28 FU-A carry others inside. */
function nalStartsKeyframe(type: number): boolean {
  return type === 5 || type === 7;
}

/** Whether this RTP payload begins an IDR access unit (its SPS, or the IDR slice itself). */
export function startsKeyframe(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const type = payload[0]! & 0x1f;
  if (type === 24) {
    // STAP-A: [2-byte size][NAL]…
    for (let off = 1; off + 2 < payload.length; ) {
      const size = payload.readUInt16BE(off);
      if (nalStartsKeyframe(payload[off + 2]! & 0x1f)) return true;
      off += 2 + size;
    }
    return false;
  }
  if (type === 28) {
    const start = (payload[1]! & 0x80) !== 0;
    return start && nalStartsKeyframe(payload[1]! & 0x1f);
  }
  return nalStartsKeyframe(type);
}
