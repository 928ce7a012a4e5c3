// ffmpeg's RTP input binds the port an SDP names and the next one (RTCP): find a free even pair.
import { createSocket } from 'node:dgram';

const bind = (port: number) =>
  new Promise<ReturnType<typeof createSocket> | undefined>((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(undefined));
    s.bind(port, '127.0.0.1', () => resolve(s));
  });

export async function freeUdpPortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const probe = await bind(0);
    const port = probe!.address().port & ~1;
    probe!.close();
    const [a, b] = [await bind(port), await bind(port + 1)];
    a?.close();
    b?.close();
    if (a && b) return port;
  }
  throw new Error('no free UDP port pair on loopback');
}
