// The player page: plain HTML + hls.js served from our own node_modules (no third-party CDN).
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function playerPage(playbackId: string): string {
  const id = escapeHtml(playbackId);
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
  #levels, #note { color: #9aa3b5; font-size: 13px; }
  #modes { float: right; margin: 12px 0; }
  #modes button { background: #2a2f3a; color: inherit; border: 0; padding: 4px 10px; border-radius: 6px; cursor: pointer; }
  #modes button[aria-pressed="true"] { background: #3d6df2; }
  #timeline { display: flex; gap: 10px; align-items: center; margin-top: 8px; }
  #timeline[hidden] { display: none; }
  #seek { flex: 1; }
  #behind { color: #9aa3b5; font-size: 13px; min-width: 9em; text-align: right; }
  #scrub { position: relative; flex: 1; display: flex; }
  #preview { position: absolute; bottom: 28px; display: none; border: 2px solid #fff; border-radius: 4px; background-repeat: no-repeat; pointer-events: none; }
  #golive { background: #c0262d; color: inherit; border: 0; padding: 4px 10px; border-radius: 6px; cursor: pointer; }
</style>
</head>
<body>
<main>
  <video id="video" controls muted playsinline></video>
  <div id="timeline" hidden>
    <span id="scrub"><input id="seek" type="range" min="0" max="0" step="0.1" value="0" aria-label="Seek"><span id="preview"></span></span>
    <span id="behind">Live</span>
    <button id="golive" type="button">Go live</button>
  </div>
  <div>
    <span id="status" data-state="waiting">Waiting for the broadcast…</span>
    <span id="modes" role="group" aria-label="Latency">
      <button data-mode="realtime" title="WebRTC, under a second behind">Real-time</button>
      <button data-mode="low" title="Low-latency HLS, about two seconds behind">Low latency</button>
      <button data-mode="standard" title="HLS, a few seconds behind, steadiest on weak networks">Standard</button>
    </span>
  </div>
  <div id="levels"></div>
  <div id="note"></div>
</main>
<script src="/play/assets/hls.min.js"></script>
<script>
(() => {
  const playbackId = "${id}";
  const video = document.getElementById('video');
  const statusEl = document.getElementById('status');
  const levelsEl = document.getElementById('levels');
  const noteEl = document.getElementById('note');
  const labels = { waiting: 'Waiting for the broadcast…', live: 'LIVE', ended: 'The broadcast has ended', vod: 'Recording' };
  const params = new URLSearchParams(location.search);
  // Signed playback: the page's own ?token= goes on the playlist and WHEP URLs; the edge puts it on every child URI.
  const token = params.get('token');
  const withToken = (url) => (token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url);
  const vsid = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  const player = (window.airwavePlayer = { state: 'waiting', mode: null, via: null, hls: null, pc: null, levels: [], levelsPlayed: [], fallback: null });
  let status = null;

  function show(state) {
    player.state = state;
    statusEl.dataset.state = state;
    statusEl.textContent = labels[state];
  }

  function detach() {
    if (player.hls) player.hls.destroy();
    if (player.pc) {
      player.pc.close();
      if (player.whepLocation) fetch(player.whepLocation, { method: 'DELETE', keepalive: true }).catch(() => {});
    }
    player.hls = null;
    player.pc = null;
    player.whepLocation = null;
    player.native = false;
    player.via = null;
    video.removeAttribute('src');
    video.srcObject = null;
  }

  function attachHls(url, lowLatency) {
    player.via = 'hls';
    if (window.Hls && Hls.isSupported()) {
      // low: LL-HLS parts; hls.js holds back the playlist's PART-HOLD-BACK (three parts) and speeds up
      // (≤ 1.5×) to catch up after a stall. standard: 2 s segments, two behind the newest (about 5 s
      // behind the encoder; docs/realtime.md).
      // DVR: a viewer who rewound stays where they went (no jump back to the live edge, and the
      // back buffer is kept so seeking within it needs no refetch).
      const dvr = status && status.dvrWindowSeconds > 0;
      const options = lowLatency
        ? { lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5, backBufferLength: dvr ? Infinity : 10 }
        : dvr ? { liveSyncDurationCount: 2 } : { liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 5, maxLiveSyncPlaybackRate: 1.2 };
      // Every request names this page's viewing session, so the edge counts one viewer per page
      // (docs/viewers.md); hls.js opens the request itself unless xhrSetup did.
      options.xhrSetup = (xhr, u) => xhr.open('GET', u + (u.includes('?') ? '&' : '?') + 'vsid=' + vsid, true);
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
        if (data.fatal) { console.warn('hls.js:', data.type, data.details, data.reason || ''); hls.destroy(); player.hls = null; player.via = null; }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      player.native = true;
      video.src = url;
      video.play().catch(() => {});
    }
  }

  /** WHEP: one POST of our offer (fetch follows the 307 to an edge), the answer, and media. */
  async function attachWhep(url) {
    player.via = 'webrtc';
    const pc = (player.pc = new RTCPeerConnection());
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const stream = new MediaStream();
    pc.ontrack = (e) => {
      if (noteEl.textContent === 'Reconnecting…') noteEl.textContent = '';
      stream.addTrack(e.track);
      video.srcObject = stream;
      video.play().catch(() => {});
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, 1500);
    });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
    if (res.status !== 201) {
      const body = await res.json().catch(() => ({}));
      const code = body.error && body.error.code;
      if ((code === 'not_live' || code === 'reconnecting') && player.pc === pc) {
        // Between two sessions of the broadcast (the encoder reconnecting): try again at the next poll.
        detach();
        return;
      }
      throw new Error((body.error && body.error.message) || 'WHEP answered ' + res.status);
    }
    player.whepLocation = res.headers.get('location');
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    pc.addEventListener('connectionstatechange', () => {
      if (player.pc !== pc || (pc.connectionState !== 'failed' && pc.connectionState !== 'closed')) return;
      // It played, so WebRTC works here: the broadcast stopped or moved (an encoder reconnecting,
      // an edge restarting). Join again at the next poll while the stream is live; HLS only when
      // WebRTC never played.
      if (video.videoWidth > 0) rejoin();
      else fallBack('the WebRTC connection failed');
    });
    // No picture within 8 s (blocked UDP, no TURN): HLS instead.
    setTimeout(() => {
      if (player.pc === pc && video.videoWidth === 0) fallBack('no WebRTC video arrived');
    }, 8000);
    // Frames stopped (the edge's feed ended when the encoder left; ICE would take 30 s to notice).
    let decoded = -1;
    const watchdog = setInterval(async () => {
      if (player.pc !== pc) return clearInterval(watchdog);
      let frames = 0;
      (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames = r.framesDecoded || 0; });
      if (frames > 0 && frames === decoded && player.pc === pc) {
        clearInterval(watchdog);
        rejoin();
      }
      decoded = frames;
    }, 3000);
  }

  // DVR: a seekable live timeline under the video, shown when the stream keeps a window to rewind in.
  const timeline = document.getElementById('timeline');
  const seek = document.getElementById('seek');
  const behind = document.getElementById('behind');
  let dragging = false;
  const clock = (s) => Math.floor(s / 60) + ':' + String(Math.floor(s % 60)).padStart(2, '0');
  function updateTimeline() {
    const r = video.seekable;
    if (status && status.state === 'vod' && r.length > 0) {
      // A recording: the same bar, from the start to the end, with storyboard previews on hover.
      timeline.hidden = false;
      document.getElementById('golive').hidden = true;
      seek.min = '0';
      seek.max = String(r.end(r.length - 1));
      if (!dragging) seek.value = String(video.currentTime);
      behind.textContent = clock(video.currentTime) + ' / ' + clock(r.end(r.length - 1));
      return;
    }
    const dvr = status && status.state === 'live' && status.dvrWindowSeconds > 0 && player.via === 'hls' && r.length > 0;
    if (!dvr) { timeline.hidden = true; player.dvr = null; return; }
    const start = r.start(0), end = r.end(r.length - 1);
    timeline.hidden = end - start < 20;
    seek.min = String(start);
    seek.max = String(end);
    if (!dragging) seek.value = String(video.currentTime);
    const lag = Math.max(0, end - video.currentTime);
    behind.textContent = lag > 10 ? '−' + clock(lag) + ' behind live' : 'Live';
    player.dvr = { start, end, behind: lag };
  }
  seek.addEventListener('input', () => (dragging = true));
  seek.addEventListener('change', () => { video.currentTime = Number(seek.value); dragging = false; });
  document.getElementById('golive').addEventListener('click', () => {
    const sync = player.hls && player.hls.liveSyncPosition;
    if (sync) video.currentTime = sync;
    else if (video.seekable.length) video.currentTime = video.seekable.end(video.seekable.length - 1) - 6;
  });
  video.addEventListener('timeupdate', updateTimeline);

  // Storyboard (WebVTT of sprite tiles: "storyboard.jpg#xywh=x,y,w,h"): a preview above the bar.
  const previewEl = document.getElementById('preview');
  let tiles = null;
  async function loadStoryboard(url) {
    const text = await (await fetch(withToken(url))).text();
    const seconds = (t) => t.split(':').reduce((n, p) => n * 60 + Number(p), 0);
    tiles = [];
    const lines = text.split(/\\r?\\n/);
    lines.forEach((line, i) => {
      const m = /^([\\d:.]+)\\s+-->\\s+([\\d:.]+)/.exec(line);
      const img = m && /^(.*)#xywh=(\\d+),(\\d+),(\\d+),(\\d+)$/.exec(lines[i + 1] || '');
      if (img) tiles.push({ from: seconds(m[1]), to: seconds(m[2]), src: withToken(new URL(img[1], new URL(url, location.href)).href), x: +img[2], y: +img[3], w: +img[4], h: +img[5] });
    });
    player.storyboardTiles = tiles.length;
  }
  seek.addEventListener('mousemove', (e) => {
    if (!tiles || tiles.length === 0) return;
    const box = seek.getBoundingClientRect();
    const t = ((e.clientX - box.left) / box.width) * (Number(seek.max) - Number(seek.min)) + Number(seek.min);
    const tile = tiles.find((c) => t >= c.from && t < c.to) || tiles[tiles.length - 1];
    Object.assign(previewEl.style, { display: 'block', width: tile.w + 'px', height: tile.h + 'px', backgroundImage: 'url("' + tile.src + '")', backgroundPosition: -tile.x + 'px ' + -tile.y + 'px', left: Math.min(Math.max(0, e.clientX - box.left - tile.w / 2), box.width - tile.w) + 'px' });
    player.preview = { time: t, x: tile.x, y: tile.y };
  });
  seek.addEventListener('mouseleave', () => (previewEl.style.display = 'none'));

  function rejoin() {
    noteEl.textContent = 'Reconnecting…';
    player.rejoins = (player.rejoins || 0) + 1;
    detach();
  }

  function fallBack(why) {
    player.fallback = why;
    noteEl.textContent = 'Real-time playback is unavailable here (' + why + '): playing low-latency HLS instead.';
    detach();
    attachHls(withToken(status.hlsUrl), true);
  }

  function attach() {
    if (player.via || !status) return;
    if (status.state === 'vod') {
      if (status.storyboardUrl) loadStoryboard(status.storyboardUrl).catch(() => {});
      return attachHls(withToken(status.hlsUrl), false);
    }
    if (player.mode === 'realtime' && status.whepUrl && window.RTCPeerConnection) {
      attachWhep(withToken(status.whepUrl)).catch((err) => fallBack(err.message));
    } else {
      attachHls(withToken(status.hlsUrl), player.mode !== 'standard');
    }
  }

  function setMode(mode) {
    player.mode = mode;
    for (const b of document.querySelectorAll('#modes button')) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    noteEl.textContent = '';
    player.fallback = null;
    detach();
    if (player.state === 'live' || player.state === 'vod') attach();
  }
  for (const b of document.querySelectorAll('#modes button')) b.addEventListener('click', () => setMode(b.dataset.mode));
  window.addEventListener('pagehide', detach);

  async function poll() {
    try {
      const res = await fetch('/play/' + encodeURIComponent(playbackId) + '/status');
      if (res.ok) {
        status = await res.json();
        const was = player.state;
        show(status.state);
        // ?mode= wins; otherwise the stream's own latency mode.
        if (!player.mode) setMode(['realtime', 'low', 'standard'].includes(params.get('mode')) ? params.get('mode') : status.latencyMode);
        if (status.state === 'vod') document.getElementById('modes').hidden = true;
        if (status.state === 'live' || status.state === 'vod') {
          try { attach(); } catch (err) { console.warn('player:', err.message); player.via = null; }
        }
        // A broadcast that starts again after a WebRTC session ended: reconnect.
        if (was !== 'live' && status.state === 'live' && player.via === 'webrtc' && !player.pc) attach();
        if (status.state === 'vod') return; // a recording does not change: stop polling
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
