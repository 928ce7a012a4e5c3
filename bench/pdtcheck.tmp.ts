import HLS from 'hls-parser';
import { startEncoder, startStack, waitFor } from '/work/main/test/e2e/stack.js';
const stack = await startStack('pdt-check.test.ts');
try {
  for (const latencyMode of ['low']) {
    const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'pdt', latencyMode, reconnectWindowSeconds: 0, record: false } })).body;
    const enc = startEncoder(s.ingestUrl, { seconds: 40, size: '1280x720' });
    await waitFor(async () => (await fetch(s.playback.hlsUrl)).ok, 60_000, 'master');
    const url = s.playback.hlsUrl.replace('index.m3u8', '720p/index.m3u8');
    const lags: number[] = [];
    let last = '';
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      const text = await (await fetch(url)).text();
      const p = HLS.parse(text) as any;
      const seg = p.segments.at(-1);
      if (seg && seg.uri !== last) { last = seg.uri; lags.push((Date.now() - (seg.programDateTime.getTime() + seg.duration * 1000)) / 1000); }
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(latencyMode, 'now − (PDT+duration) of newest segment when first seen:', lags.map((x) => x.toFixed(2)).join(' '));
    await enc.stop();
  }
} finally { await stack.close(); }
process.exit(0);
