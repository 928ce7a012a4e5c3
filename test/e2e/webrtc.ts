/// <reference lib="dom" />
// A WebRTC viewer in a real browser page: WHEP with the browser's own RTCPeerConnection and fetch
// (which follows the API's 307 to an edge), as a player would do it.
import type { Page } from 'playwright-core';

export interface WhepOutcome {
  status: number;
  body?: string;
  location?: string;
}

/** Starts WHEP playback in `page` into a <video id="rt">; `window.rt` holds the connection. */
export function startWhep(page: Page, whepUrl: string): Promise<WhepOutcome> {
  return page.evaluate(async (url) => {
    const w = window as any;
    let video = document.getElementById('rt') as HTMLVideoElement | null;
    if (!video) {
      video = document.createElement('video');
      video.id = 'rt';
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      document.body.append(video);
    }
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const stream = new MediaStream();
    pc.ontrack = (e) => {
      stream.addTrack(e.track);
      video!.srcObject = stream;
      video!.play().catch(() => {});
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
      setTimeout(resolve, 2000);
    });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    const body = await res.text();
    if (res.status !== 201) {
      pc.close();
      return { status: res.status, body };
    }
    const location = res.headers.get('location') ?? undefined;
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    w.rt = { pc, location, postedAt: performance.now() };
    return { status: res.status, location };
  }, whepUrl);
}

/** What the page's WebRTC viewer shows: frame size, playback time, audio packets received. */
export function whepState(page: Page): Promise<{ width: number; time: number; audioPackets: number; state: string }> {
  return page.evaluate(async () => {
    const { pc } = (window as any).rt;
    const video = document.getElementById('rt') as HTMLVideoElement;
    let audioPackets = 0;
    (await (pc as RTCPeerConnection).getStats()).forEach((r: any) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') audioPackets = r.packetsReceived;
    });
    return { width: video.videoWidth, time: video.currentTime, audioPackets, state: (pc as RTCPeerConnection).connectionState };
  });
}

/** Publishes the browser's (fake) camera and microphone over WHIP, as the console's "Go live" does. */
export function startWhip(page: Page, whipUrl: string, streamKey: string): Promise<WhepOutcome> {
  return page.evaluate(
    async ({ url, key }) => {
      const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360, frameRate: 30 }, audio: true });
      const pc = new RTCPeerConnection();
      for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
        setTimeout(resolve, 2000);
      });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp', authorization: `Bearer ${key}` },
        body: pc.localDescription!.sdp,
      });
      const body = await res.text();
      if (res.status !== 201) {
        pc.close();
        media.getTracks().forEach((t) => t.stop());
        return { status: res.status, body };
      }
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
      const location = res.headers.get('location') ?? undefined;
      (window as any).whip = { pc, media, location };
      return { status: res.status, location };
    },
    { url: whipUrl, key: streamKey },
  );
}
