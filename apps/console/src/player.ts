// A preview player on hls.js, tuned like the public player page.
import Hls from 'hls.js';

export interface Preview {
  el: HTMLVideoElement;
  load(url: string, lowLatency: boolean): void;
  destroy(): void;
}

export function preview(testId: string): Preview {
  const video = document.createElement('video');
  video.muted = true;
  video.controls = true;
  video.playsInline = true;
  video.dataset.testid = testId;
  let hls: Hls | undefined;
  let loaded: string | undefined;
  return {
    el: video,
    load(url, lowLatency) {
      if (loaded === url) return;
      loaded = url;
      hls?.destroy();
      if (Hls.isSupported()) {
        hls = new Hls(lowLatency ? { lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5 } : { liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 5 });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (data.fatal) {
            hls?.destroy();
            hls = undefined;
            loaded = undefined; // the next refresh tries again
          }
        });
        hls.loadSource(url);
        hls.attachMedia(video);
      } else {
        video.src = url;
      }
      void video.play().catch(() => {});
    },
    destroy() {
      hls?.destroy();
      loaded = undefined;
    },
  };
}
