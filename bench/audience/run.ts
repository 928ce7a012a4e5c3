// npm run bench:audience — on the real stack (API, ingest, worker):
// - the playback edge with and without viewer counting: req/s and p99 of a segment request
//   (autocannon; a request with `X-Airwave-Counted: 1` is served without being counted, as behind nginx);
// - viewer-count error: N simulated HLS players (they reload the playlist every target duration and
//   fetch each new segment, with a vsid, like the player page) against `viewers.current`;
// - clip ready time: 30 s of a live stream (HLS ready, MP4 ready), and 10 minutes of a recording
//   (published faster than real time so the bench does not take ten minutes).
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import HLS from 'hls-parser';
import { startEncoder, startStack, waitFor } from '../../test/e2e/stack.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const stack = await startStack('bench-audience.test.ts', { VIEWERS_FLUSH_SECONDS: '10', WORKER_CONCURRENCY: '4' });
const report: string[] = [];
const say = (line: string) => {
  report.push(line);
  console.log(line);
};
const call = stack.api.call.bind(stack.api);
const getStream = async (id: string) => (await call('GET', `/v1/live-streams/${id}`)).body;
const readyAsset = (id: string, mp4: boolean) =>
  waitFor(async () => {
    const a = (await call('GET', `/v1/assets/${id}`)).body;
    if (a.status === 'errored') throw new Error(a.errorMessage);
    return a.status === 'ready' && (!mp4 || a.mp4Url) && a;
  }, 600_000, 'asset ready');

try {
  const stream = (await call('POST', '/v1/live-streams', { body: { name: 'bench audience', renditions: ['240p'], reconnectWindowSeconds: 0 } })).body;
  const encoder = startEncoder(stream.ingestUrl, { seconds: 900, size: '426x240' });
  await waitFor(async () => (await getStream(stream.id)).status === 'active', 60_000, 'active');
  await new Promise((r) => setTimeout(r, 40_000));
  const media = new URL('240p/index.m3u8', stream.playback.hlsUrl);

  // 1. The edge with and without counting, on one segment of the recording (vod/…: views + watch time).
  const playlist = HLS.parse(await (await fetch(media)).text()) as HLS.types.MediaPlaylist;
  const segment = new URL(playlist.segments[0]!.uri, media).href;
  for (const [title, headers] of [['without counting', { 'x-airwave-counted': '1' }], ['with counting', {}]] as const) {
    const r = await autocannon({ url: `${segment}?vsid=bench-viewer-0001`, connections: 20, duration: SECONDS, headers });
    say(`edge, segment request ${title}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.non2xx + r.errors}`);
  }

  // 2. Viewer-count error with simulated players.
  for (const n of [10, 50]) {
    const stop = { now: false };
    const players = Array.from({ length: n }, (_, i) => play(media, `bench-player-${n}-${String(i).padStart(4, '0')}`, stop));
    await new Promise((r) => setTimeout(r, 15_000));
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      seen.push((await getStream(stream.id)).viewers.current);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    stop.now = true;
    await Promise.all(players);
    const err = seen.map((v) => Math.abs(v - n));
    say(`viewers.current with ${n} players: min ${Math.min(...seen)}, max ${Math.max(...seen)}, mean ${(seen.reduce((a, b) => a + b, 0) / seen.length).toFixed(1)}; max error ${Math.max(...err)} (${((Math.max(...err) / n) * 100).toFixed(0)} %)`);
    await waitFor(async () => (await getStream(stream.id)).viewers.current === 0, 30_000, 'players gone');
  }

  // 3a. A 30 s clip of the live stream, ending now.
  const end = Date.now() - 1_000;
  const asked = Date.now();
  const live = (await call('POST', '/v1/assets', { body: { input: { liveStreamId: stream.id, startTime: new Date(end - 30_000).toISOString(), endTime: new Date(end).toISOString() } } })).body;
  await readyAsset(live.id, false);
  const hlsAt = Date.now();
  await readyAsset(live.id, true);
  say(`30 s live clip: HLS ready ${((hlsAt - asked) / 1000).toFixed(2)} s after the request, MP4 ${((Date.now() - asked) / 1000).toFixed(2)} s`);
  await encoder.stop();

  // 3b. A 10-minute clip of a recording (the broadcast is pushed faster than real time).
  const long = (await call('POST', '/v1/live-streams', { body: { name: 'bench long', renditions: ['240p'], reconnectWindowSeconds: 0 } })).body;
  const fast = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '620', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', long.ingestUrl]);
  await new Promise((r) => fast.once('exit', r));
  await waitFor(async () => (await getStream(long.id)).status === 'idle', 120_000, 'long broadcast ended');
  const recording = await readyAsset((await getStream(long.id)).recentAssetIds[0], true);
  const askedLong = Date.now();
  const tenMinutes = (await call('POST', '/v1/assets', { body: { input: { assetId: recording.id, startOffsetSeconds: 5, endOffsetSeconds: 605 } } })).body;
  await readyAsset(tenMinutes.id, false);
  const longHls = Date.now();
  const done = await readyAsset(tenMinutes.id, true);
  say(`10 min clip of a ${recording.durationSeconds.toFixed(0)} s recording: HLS ready ${((longHls - askedLong) / 1000).toFixed(2)} s after the request, MP4 ${((Date.now() - askedLong) / 1000).toFixed(2)} s (${done.durationSeconds} s)`);
} finally {
  console.log(`\n${report.join('\n')}\n(the whole stack, the encoders and the load on one 2-core machine)`);
  await stack.close();
}

/** A player as the edge sees one: the playlist every target duration, each new segment once. */
async function play(url: URL, vsid: string, stop: { now: boolean }) {
  const fetched = new Set<string>();
  while (!stop.now) {
    const res = await fetch(`${url.href}?vsid=${vsid}`).catch(() => undefined);
    const text = res?.ok ? await res.text() : undefined;
    const p = text ? (HLS.parse(text) as HLS.types.MediaPlaylist) : undefined;
    for (const s of p?.segments.slice(-2) ?? []) {
      if (fetched.has(s.uri)) continue;
      fetched.add(s.uri);
      await fetch(`${new URL(s.uri, url).href}?vsid=${vsid}`).then((r) => r.arrayBuffer(), () => undefined);
    }
    await new Promise((r) => setTimeout(r, (p?.targetDuration ?? 2) * 1000));
  }
}
