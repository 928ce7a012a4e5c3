// `npm run up` as a user runs it (scripts/up/main.ts, its supervisor, two workers), on this file's own
// database schema, Redis prefix and bucket. While an encoder publishes, each Airwave process is killed
// with -9 in turn: the broadcast goes on, the terminal says what was restarted, the recording keeps
// everything but the take-over. Meanwhile no process's command line or environment holds a stream
// key or a simulcast destination's key, and the ingest holds no database, storage or encryption secret.
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { launchChromium } from './browser.js';
import { keepLogs, startEncoder, waitFor, type Encoder } from './stack.js';
import { portAnswers, startUpStack, type UpStack } from './up-stack.js';

let stack: UpStack;
let encoder: Encoder | undefined;
beforeAll(async () => {
  stack = await startUpStack(import.meta.filename, { WORKER_PROCESSES: '2' });
}, 150_000);

afterAll(async () => {
  await encoder?.stop();
  // Ctrl-C stops everything, children (ffmpeg included) too.
  const left = await stack?.stop();
  expect((left ?? []).map((p) => p.cmdline.split('\n').slice(0, 3).join(' '))).toEqual([]);
});

it('kill -9 of a worker, the API and the ingest during a broadcast: each comes back, the broadcast goes on, no secret leaks through /proc', async () => {
  onTestFailed(() => keepLogs(import.meta.filename, stack.output().split('\n')));
  // A second stream is the simulcast destination: its key is a destination key like YouTube's.
  const dest = (await stack.call('POST', '/v1/live-streams', { name: 'destination', renditions: ['240p'], record: false })).body;
  const s = (
    await stack.call('POST', '/v1/live-streams', {
      name: 'under the supervisor',
      renditions: ['240p'],
      reconnectWindowSeconds: 60,
      simulcastTargets: [{ url: `rtmp://127.0.0.1:${stack.ports.rtmp}/live`, streamKey: dest.streamKey }],
    })
  ).body;
  encoder = startEncoder(s.ingestUrl, { size: '320x240', seconds: 600 });
  const status = async (id = s.id) => (await stack.call('GET', `/v1/live-streams/${id}`)).body.status as string;
  await waitFor(async () => (await status()) === 'active', 60_000, `active\n${stack.output().slice(-2000)}`);
  await waitFor(
    async () => (await stack.call('GET', `/v1/live-streams/${s.id}/simulcast-targets`)).body.data[0]?.status === 'broadcasting',
    60_000,
    'relay broadcasting',
  );
  await waitFor(async () => (await status(dest.id)) === 'active', 60_000, 'the destination stream is live');
  const sessionId = (await stack.call('GET', `/v1/live-streams/${s.id}`)).body.currentSessionId as string;

  // Least privilege, as /proc shows it to any local user of the box.
  const tree = stack.tree();
  const ffmpegs = tree.filter((p) => p.cmdline.startsWith('ffmpeg') || p.cmdline.includes('\nffmpeg\n') || /(^|\/)ffmpeg\n/.test(p.cmdline));
  expect(ffmpegs.length).toBeGreaterThanOrEqual(3); // two ladders and a relay
  for (const p of tree) {
    for (const key of [s.streamKey, dest.streamKey]) {
      expect(p.cmdline.includes(key), `stream key in the command line of ${p.cmdline.split('\n').slice(0, 4).join(' ')}`).toBe(false);
      expect(p.environ.includes(key), `stream key in the environment of ${p.pid}`).toBe(false);
    }
    expect(p.cmdline).not.toMatch(/token=\d+\.[\w-]{20,}/); // no whole pull token either
  }
  const ingestEnv = tree.find((p) => p.cmdline.includes('apps/ingest/src/main.ts'))!.environ.split('\n');
  for (const name of [
    'DATABASE_URL',
    'STORAGE_ACCESS_KEY_ID',
    'STORAGE_SECRET_ACCESS_KEY',
    'STREAM_KEY_ENCRYPTION_KEY',
    'SECRETS_ENCRYPTION_KEY',
    'PLAYBACK_SIGNING_KEY',
  ]) {
    expect(
      ingestEnv.some((l) => l.startsWith(`${name}=`)),
      `ingest has ${name}`,
    ).toBe(false);
  }
  for (const w of tree.filter((p) => p.cmdline.includes('apps/worker/src/main.ts'))) {
    expect(
      w.environ.split('\n').some((l) => l.startsWith('STREAM_KEY_ENCRYPTION_KEY=')),
      'worker has the stream-key key',
    ).toBe(false);
  }

  // The stream must never leave `active` while processes die and come back.
  const seen = new Set<string>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      seen.add(await status().catch(() => 'api unreachable'));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const mediaUrl = s.playback.hlsUrl.replace('index.m3u8', '240p/index.m3u8');
  const runsInPlaylist = async () => {
    const res = await fetch(mediaUrl).catch(() => undefined);
    if (!res?.ok) return new Set<string>();
    const p = HLS.parse(await res.text()) as HLS.types.MediaPlaylist;
    return new Set(p.segments.map((seg) => /([^/]+)_\d+\.ts$/.exec(seg.uri)![1]!));
  };

  // 1. The worker running the ladder.
  const ladder = stack.tree().find((p) => p.cmdline.includes(sessionId) && /ffmpeg/.test(p.cmdline))!;
  const runsBefore = await runsInPlaylist();
  const killedAt = Date.now();
  process.kill(ladder.ppid, 'SIGKILL');
  await waitFor(() => /worker-\d was killed by SIGKILL; restarting in 1 s/.test(stack.output()), 10_000, 'the supervisor reports the worker');
  const newRun = await waitFor(async () => [...(await runsInPlaylist())].find((r) => !runsBefore.has(r)), 30_000, 'the ladder resumed');
  const resumedMs = Date.now() - killedAt;
  await waitFor(() => /worker-\d restarted \(pid \d+\)/.test(stack.output()), 15_000, 'the worker restarted');
  console.log(`worker kill -9: the live playlist resumed (run ${newRun}) ${(resumedMs / 1000).toFixed(1)} s after the kill`);
  expect(resumedMs).toBeLessThan(2 * 2000 + 4000); // two 2 s segments, plus the playlist cache, our poll and the restart

  // 2. The API.
  const apiPid = stack.appPid('apps/api/src/server.ts')!;
  const apiKilledAt = Date.now();
  process.kill(apiPid, 'SIGKILL');
  await waitFor(() => stack.output().includes('api was killed by SIGKILL'), 10_000, 'the supervisor reports the API');
  await waitFor(async () => (await fetch(`${stack.apiUrl}/healthz`).catch(() => undefined))?.ok, 15_000, 'the API answers again within 15 s');
  const apiBackMs = Date.now() - apiKilledAt;
  // Heartbeats resume: the session is seen again after the restart.
  await waitFor(
    async () => {
      const session = (await stack.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data[0];
      return Date.parse(session.lastSeenAt) > apiKilledAt + apiBackMs;
    },
    20_000,
    'heartbeats resume',
  );
  console.log(`API kill -9: answering again after ${(apiBackMs / 1000).toFixed(1)} s`);

  // Through a worker and an API dying, the stream never left `active`.
  expect([...seen].filter((x) => x !== 'active' && x !== 'api unreachable')).toEqual([]);
  seen.clear();

  // 3. The ingest: the encoder's connection drops with it; an encoder that re-publishes inside the
  // window joins the same session and the same recording.
  const ingestPid = stack.appPid('apps/ingest/src/main.ts')!;
  const ingestKilledAt = Date.now();
  process.kill(ingestPid, 'SIGKILL');
  await encoder.exited;
  await waitFor(() => stack.output().includes('ingest was killed by SIGKILL'), 10_000, 'the supervisor reports the ingest');
  await waitFor(
    async () => (await portAnswers(stack.ports.rtmp)) && stack.output().includes('ingest restarted'),
    15_000,
    'the ingest listens again within 15 s',
  );
  console.log(`ingest kill -9: listening again after ${((Date.now() - ingestKilledAt) / 1000).toFixed(1)} s`);
  encoder = startEncoder(s.ingestUrl, { size: '320x240', seconds: 600 });
  await waitFor(
    async () => {
      const got = (await stack.call('GET', `/v1/live-streams/${s.id}`)).body;
      return got.status === 'active' && got.currentSessionId === sessionId;
    },
    60_000,
    'the re-published encoder is live in the same session',
  );
  await new Promise((r) => setTimeout(r, 6000)); // a little more of the broadcast on record
  watching = false;
  await watcher;
  // While the encoder was away and back: reconnecting, then connected and active again; never idle.
  expect([...seen].filter((x) => !['active', 'reconnecting', 'connected', 'api unreachable'].includes(x))).toEqual([]);
  const sessions = (await stack.call('GET', `/v1/live-streams/${s.id}/sessions`)).body.data;
  expect(sessions).toHaveLength(1);
  expect(sessions[0].reconnects).toBe(1);

  // The recording: one asset, one discontinuity per take-over (the worker) and per reconnect (the
  // ingest), none for the API, and no gap inside any run.
  await encoder.stop();
  await stack.call('POST', `/v1/live-streams/${s.id}/complete`);
  const asset = await waitFor(
    async () => {
      const list = (await stack.call('GET', `/v1/assets?liveStreamId=${s.id}`)).body.data;
      return list.length === 1 && list[0].status === 'ready' && list[0];
    },
    90_000,
    'one recording, ready',
  );
  expect(asset.id).toBe(sessions[0].assetId);
  const vod = HLS.parse(await (await fetch(asset.playback.hlsUrl.replace('index.m3u8', '240p/index.m3u8'))).text()) as HLS.types.MediaPlaylist;
  expect(vod.segments.filter((seg) => seg.discontinuity)).toHaveLength(2);
  const runs = new Map<string, number[]>();
  for (const seg of vod.segments) {
    const [, run, n] = /([^/]+)_(\d+)\.ts$/.exec(seg.uri)!;
    runs.set(run!, [...(runs.get(run!) ?? []), Number(n)]);
  }
  expect(runs.size).toBe(3);
  for (const numbers of runs.values()) numbers.forEach((n, i) => expect(n).toBe(numbers[0]! + i));
}, 400_000);

it('prints a real-time player link that plays over WebRTC from the edge it started', async () => {
  const link = /Real-time\s+(\S+)/.exec(stack.output())?.[1];
  expect(link).toMatch(/\/play\/[0-9A-Za-z]{32}\?mode=realtime$/);
  expect(stack.appPid('apps/edge/src/main.ts')).toBeDefined();
  // The printed test stream, published as the banner says (keyframe every second).
  const streamId = /Test stream\s+(ls_\S+)/.exec(stack.output())![1]!;
  const stream = (await stack.call('GET', `/v1/live-streams/${streamId}`)).body;
  const enc = startEncoder(stream.ingestUrl, {
    size: '640x360',
    seconds: 120,
    videoCodec: ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p'],
  });
  const browser = await launchChromium();
  try {
    await waitFor(async () => (await stack.call('GET', `/v1/live-streams/${streamId}`)).body.status === 'active', 60_000, 'the test stream is live');
    const page = await browser.newPage();
    await page.goto(link!);
    await page.waitForFunction(() => (window as any).airwavePlayer.via === 'webrtc' && document.querySelector('video')!.videoWidth === 640, undefined, {
      timeout: 30_000,
    });
    const t = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => document.querySelector('video')!.currentTime)).toBeGreaterThan(t + 0.5);
  } finally {
    await browser.close();
    await enc.stop();
  }
}, 120_000);
