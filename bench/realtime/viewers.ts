// WHEP viewers without a browser, for the fan-out figures: werift peers that receive (and count)
// the RTP an edge sends, in a process of their own so their CPU is not the edge's.
//   tsx bench/realtime/viewers.ts <whepUrl> <count>   → prints JSON lines {connected, bytes}
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 1);
let bytes = 0;
let connected = 0;
const peers: { pc: RTCPeerConnection; location?: string }[] = [];

async function viewer(): Promise<void> {
  const pc = new RTCPeerConnection({
    iceUseIpv6: false,
    codecs: {
      video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }], parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' })],
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
    },
  });
  const v = pc.addTransceiver('video', { direction: 'recvonly' });
  const a = pc.addTransceiver('audio', { direction: 'recvonly' });
  for (const t of [v, a]) t.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => (bytes += rtp.payload.length)));
  pc.connectionStateChange.subscribe((s) => s === 'connected' && connected++);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
    setTimeout(resolve, 3000);
  });
  const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
  if (res.status !== 201) throw new Error(`WHEP answered ${res.status}: ${await res.text()}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  peers.push({ pc, location: res.headers.get('location') ?? undefined });
}

for (let i = 0; i < count; i++) await viewer();
setInterval(() => process.stdout.write(`${JSON.stringify({ connected, bytes })}\n`), 1000);
process.on('SIGTERM', async () => {
  await Promise.all(peers.map(async (p) => p.location && fetch(p.location, { method: 'DELETE' }).catch(() => {})));
  process.exit(0);
});
