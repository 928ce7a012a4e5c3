// Just enough of RTMP to write fuzz input by hand: the handshake, chunked messages and AMF0
// commands. A test tool, not a client: it never reads what the server answers beyond the handshake.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export async function handshake(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const c1 = randomBytes(1536);
  c1.writeUInt32BE(0, 0);
  c1.writeUInt32BE(0, 4);
  socket.write(Buffer.concat([Buffer.from([3]), c1]));
  const s0s1s2 = await new Promise<Buffer>((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 3073) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed during the handshake')));
    setTimeout(() => reject(new Error('handshake timed out')), 5000).unref();
  });
  socket.write(s0s1s2.subarray(1, 1537)); // C2 echoes S1
  socket.resume(); // discard whatever the server says next
  return socket;
}

/** One message as RTMP chunks of 128 bytes (the default chunk size). */
export function chunks(csid: number, type: number, streamId: number, payload: Buffer, timestamp = 0): Buffer {
  const header = Buffer.alloc(12);
  header[0] = csid & 0x3f;
  header.writeUIntBE(Math.min(timestamp, 0xffffff), 1, 3);
  header.writeUIntBE(payload.length, 4, 3);
  header[7] = type;
  header.writeUInt32LE(streamId, 8);
  const parts: Buffer[] = [header];
  for (let i = 0; i < payload.length; i += 128) {
    if (i > 0) parts.push(Buffer.from([0xc0 | (csid & 0x3f)]));
    parts.push(payload.subarray(i, i + 128));
  }
  return Buffer.concat(parts);
}

type Amf = string | number | null | Record<string, string | number>;

function amf0(value: Amf): Buffer {
  if (value === null) return Buffer.from([0x05]);
  if (typeof value === 'number') {
    const b = Buffer.alloc(9);
    b[0] = 0x00;
    b.writeDoubleBE(value, 1);
    return b;
  }
  if (typeof value === 'string') {
    const s = Buffer.from(value);
    const b = Buffer.alloc(3);
    b[0] = 0x02;
    b.writeUInt16BE(s.length, 1);
    return Buffer.concat([b, s]);
  }
  const parts: Buffer[] = [Buffer.from([0x03])];
  for (const [k, v] of Object.entries(value)) {
    const key = Buffer.from(k);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(key.length);
    parts.push(len, key, amf0(v));
  }
  parts.push(Buffer.from([0x00, 0x00, 0x09]));
  return Buffer.concat(parts);
}

export const command = (...values: Amf[]) => Buffer.concat(values.map(amf0));

/** connect + createStream + publish of `key`: what an encoder sends before its media. */
export function publishPreamble(key: string): Buffer {
  return Buffer.concat([
    chunks(3, 20, 0, command('connect', 1, { app: 'live', type: 'nonprivate', tcUrl: 'rtmp://127.0.0.1/live' })),
    chunks(3, 20, 0, command('createStream', 2, null)),
    chunks(8, 20, 1, command('publish', 3, null, key, 'live')),
  ]);
}
