// "Go live from this browser": the camera and microphone published over WHIP to the stream's
// whipUrl with its key, so a stream can be tested (or run) without an encoder.
import { h } from './dom.js';

export interface GoLive {
  el: HTMLElement;
  stop(): Promise<void>;
}

export function goLive(target: () => { whipUrl: string | null; streamKey: string }): GoLive {
  const video = h('video', { muted: true, playsinline: true, autoplay: true, 'data-testid': 'camera' }) as HTMLVideoElement;
  video.muted = true;
  const note = h('p', { class: 'muted', 'data-testid': 'go-live-note' });
  const button = h('button', { type: 'button', 'data-testid': 'go-live' }, 'Go live from this browser') as HTMLButtonElement;
  let session: { pc: RTCPeerConnection; media: MediaStream; location: string | null } | undefined;

  async function start(): Promise<void> {
    const { whipUrl, streamKey } = target();
    if (!whipUrl) {
      note.textContent = 'This deployment has no WHIP ingest (INGEST_WHIP_PORT=0).';
      return;
    }
    button.disabled = true;
    note.textContent = 'Asking for the camera and microphone…';
    try {
      const media = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 }, audio: true });
      video.srcObject = media;
      const pc = new RTCPeerConnection();
      for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
      // H.264 first: the ladder copies it and every player decodes it.
      const video_ = pc.getTransceivers().find((t) => t.sender.track?.kind === 'video');
      const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
      video_?.setCodecPreferences([...codecs.filter((c) => c.mimeType === 'video/H264'), ...codecs.filter((c) => c.mimeType !== 'video/H264')]);
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
        setTimeout(resolve, 2000);
      });
      const res = await fetch(whipUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp', authorization: `Bearer ${streamKey}` },
        body: pc.localDescription!.sdp,
      });
      if (res.status !== 201) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        pc.close();
        media.getTracks().forEach((t) => t.stop());
        throw new Error(body.error?.message ?? `WHIP answered ${res.status}`);
      }
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      session = { pc, media, location: res.headers.get('location') };
      note.textContent = 'Live from this browser. The stream goes active in a moment.';
      button.textContent = 'Stop';
      button.onclick = () => void stop();
    } catch (err) {
      note.textContent = `Could not go live: ${(err as Error).message}`;
    } finally {
      button.disabled = false;
    }
  }

  async function stop(): Promise<void> {
    if (!session) return;
    const { pc, media, location } = session;
    session = undefined;
    if (location) await fetch(location, { method: 'DELETE' }).catch(() => {});
    pc.close();
    media.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
    note.textContent = 'Stopped.';
    button.textContent = 'Go live from this browser';
    button.onclick = () => void start();
  }

  button.onclick = () => void start();
  return { el: h('div', { class: 'card' }, h('h2', {}, 'Camera'), button, note, video), stop };
}
