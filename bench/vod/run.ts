// npm run bench:vod — seconds from the end of a broadcast to `asset.ready`, and what a recording
// adds to storage, for broadcasts of BENCH_MINUTES (default "1,3") minutes on the whole stack.
// Target: ready ≤ 10 s whatever the length; the recording must not double the live ladder's bytes.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Storage } from '@airwave/storage';
import { startEncoder, startStack, waitFor } from '../../test/e2e/stack.js';

const minutes = (process.env.BENCH_MINUTES ?? '1,3').split(',').map(Number);
const stack = await startStack('bench-vod.test.ts');
const storage = Storage.fromConfig(stack.api.env.config);

async function bytesUnder(prefix: string): Promise<{ segments: number; other: number }> {
  let segments = 0;
  let other = 0;
  let token: string | undefined;
  do {
    const res = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of res.Contents ?? []) (o.Key?.endsWith('.ts') ? (segments += o.Size ?? 0) : (other += o.Size ?? 0));
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return { segments, other };
}

const lines: string[] = [];
try {
  for (const m of minutes) {
    const s = (await stack.api.call('POST', '/v1/live-streams', { body: { name: `vod ${m} min`, reconnectWindowSeconds: 0 } })).body;
    const encoder = startEncoder(s.ingestUrl, { seconds: m * 60 });
    const live = await waitFor(async () => {
      const got = (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body;
      return got.status === 'active' && got;
    }, 60_000, 'active');
    await encoder.exited;
    await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${s.id}`)).body.status === 'idle', 30_000, 'idle');
    const ended = Date.now();
    const asset = await waitFor(async () => {
      const a = (await stack.api.call('GET', `/v1/assets/${live.activeAssetId}`)).body;
      return a.status !== 'preparing' && a;
    }, 300_000, 'asset ready');
    const seconds = (Date.now() - ended) / 1000;
    await waitFor(async () => (await stack.api.call('GET', `/v1/assets/${asset.id}`)).body.mp4Url, 600_000, 'mp4');
    const mp4Seconds = (Date.now() - ended) / 1000;
    const bytes = await bytesUnder(`vod/${asset.id}/`);
    const perMinute = (n: number) => `${(n / (asset.durationSeconds / 60) / 1e6).toFixed(1)} MB`;
    lines.push(
      `${m}-minute broadcast: ${asset.status} ${seconds.toFixed(1)} s after it ended, MP4 at ${mp4Seconds.toFixed(1)} s (duration ${asset.durationSeconds} s); ` +
        `storage per content-minute: ladder segments ${perMinute(bytes.segments)} (shared by live and VOD), ` +
        `recording extras (MP4 of the top rung, playlists, thumbnail) ${perMinute(bytes.other)} = ${((bytes.other / bytes.segments) * 100).toFixed(0)} % of the ladder`,
    );
  }
} finally {
  await stack.close();
}
console.log(`\n${lines.join('\n')}\n(720p30 testsrc2 + AAC encoder, keyframe every 2 s: 4-rung ladder with the top rung copied)\n`);
process.exit(0);
