// The player page: plain HTML + hls.js served from our own node_modules (no third-party CDN).
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function playerPage(playbackId: string): string {
  const id = escape(playbackId);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Airwave player</title>
<style>
  body { margin: 0; background: #0b0d12; color: #e8eaf0; font: 15px/1.4 system-ui, sans-serif; }
  main { max-width: 960px; margin: 0 auto; padding: 16px; }
  video { width: 100%; aspect-ratio: 16 / 9; background: #000; border-radius: 8px; }
  #status { display: inline-block; margin: 12px 0; padding: 4px 10px; border-radius: 999px; background: #2a2f3a; }
  #status[data-state="live"] { background: #c0262d; }
  #levels { color: #9aa3b5; font-size: 13px; }
</style>
</head>
<body>
<main>
  <video id="video" controls muted playsinline></video>
  <div><span id="status" data-state="waiting">Waiting for the broadcast…</span></div>
  <div id="levels"></div>
</main>
<script src="/play/assets/hls.min.js"></script>
<script>
(() => {
  const playbackId = "${id}";
  const video = document.getElementById('video');
  const statusEl = document.getElementById('status');
  const levelsEl = document.getElementById('levels');
  const labels = { waiting: 'Waiting for the broadcast…', live: 'LIVE', ended: 'The broadcast has ended', vod: 'Recording' };
  // Signed playback: the page's own ?token= goes on the playlist URL; the edge puts it on every child URI.
  const token = new URLSearchParams(location.search).get('token');
  const withToken = (url) => (token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url);
  const player = (window.airwavePlayer = { state: 'waiting', hls: null, levels: [], levelsPlayed: [] });

  function show(state) {
    player.state = state;
    statusEl.dataset.state = state;
    statusEl.textContent = labels[state];
  }

  let latencyMode = 'standard';
  function attach(url) {
    if (player.hls || player.native) return;
    if (window.Hls && Hls.isSupported()) {
      // low: 1 s segments; play 2 s behind the newest one and speed up (≤ 1.5×) to catch up after a stall.
      const options = latencyMode === 'low'
        ? { lowLatencyMode: true, liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 5, maxLiveSyncPlaybackRate: 1.5, backBufferLength: 10 }
        : { liveSyncDurationCount: 3 };
      const hls = (player.hls = new Hls(options));
      hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
        player.levels = data.levels.map((l) => l.height + 'p');
        levelsEl.textContent = 'Renditions: ' + [...player.levels].reverse().join(', ');
        video.play().catch(() => {});
      });
      hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => {
        const name = hls.levels[data.level].height + 'p';
        if (!player.levelsPlayed.includes(name)) player.levelsPlayed.push(name);
      });
      hls.on(Hls.Events.ERROR, (_e, data) => {
        if (data.fatal) { hls.destroy(); player.hls = null; }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      player.native = true;
      video.src = url;
      video.play().catch(() => {});
    }
  }

  async function poll() {
    try {
      const res = await fetch('/play/' + encodeURIComponent(playbackId) + '/status');
      if (res.ok) {
        const s = await res.json();
        show(s.state);
        latencyMode = s.latencyMode;
        if (s.state === 'live' || s.state === 'vod') attach(withToken(s.hlsUrl));
        if (s.state === 'vod') return; // a recording does not change: stop polling
      }
    } catch {}
    setTimeout(poll, 2000);
  }
  poll();
})();
</script>
</body>
</html>`;
}
