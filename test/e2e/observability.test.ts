// The operator's view end to end: every metric the Grafana dashboard (infra/grafana/airwave.json)
// and the alerts (infra/prometheus/alerts.yml) use is one the API, the ingest or the worker exposes;
// promtool accepts the rules and compose's Prometheus config; and a real Prometheus (Debian's)
// scraping a stack during a broadcast answers every panel's query, the live ones with the broadcast.
// (Grafana itself is not packaged by Debian and there is no Docker engine here: Grafana only renders
// what these queries return, through the datasource provisioned with the same uid.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ephemeralPort } from '../../scripts/up/net.js';
import { startEncoder, useStack, waitFor, type Encoder } from './stack.js';

const stack = useStack(import.meta.filename);
const root = path.resolve(import.meta.dirname, '../..');

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
const dashboard = JSON.parse(await readFile(path.join(root, 'infra/grafana/airwave.json'), 'utf8')) as { uid: string; panels: Panel[] };
const alerts = parse(await readFile(path.join(root, 'infra/prometheus/alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const rules = alerts.groups.flatMap((g) => g.rules);
const metricNames = (expr: string) => expr.match(/\bairwave_[a-z_]+/g) ?? [];

/** Where each process serves /metrics: the API on its own port, the others as they log it (soon after start). */
const metricsUrls = () => {
  const logged = (app: string) => {
    const line = stack.logs.find((l) => l.startsWith(`${app}:`) && l.includes('metrics listening'));
    return line && /"url":"(http:\/\/[^"]+\/metrics)"/.exec(line)?.[1];
  };
  return waitFor(
    () => {
      const [ingest, worker] = [logged('ingest'), logged('worker0')];
      return ingest && worker && { api: `${stack.apiUrl}/metrics`, ingest, worker };
    },
    15_000,
    'metrics URLs in the logs',
  );
};

/** The metric names an exposition declares (histograms also answer as _bucket, _sum, _count). */
async function exposed(url: string): Promise<Set<string>> {
  const text = await (await fetch(url)).text();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

it('uses only metric names that the apps expose, each from the app that owns it', async () => {
  const urls = await metricsUrls();
  const byApp = Object.fromEntries(await Promise.all(Object.entries(urls).map(async ([app, url]) => [app, await exposed(url)] as const)));
  const used = new Set([...panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))), ...rules.flatMap((r) => metricNames(r.expr))]);
  expect(used.size).toBeGreaterThan(10);
  for (const name of used) {
    const owners = Object.entries(byApp)
      .filter(([, names]) => names.has(name))
      .map(([app]) => app);
    expect(owners, `${name} is used by the dashboard or an alert but no app exposes it`).not.toEqual([]);
  }
  // Each app's own figures come from that app.
  expect(byApp.worker!.has('airwave_ladder_speed')).toBe(true);
  expect(byApp.worker!.has('airwave_storage_request_duration_seconds_bucket')).toBe(true);
  expect(byApp.ingest!.has('airwave_ingest_publishers')).toBe(true);
  expect(byApp.api!.has('airwave_http_request_duration_seconds_bucket')).toBe(true);
  expect(byApp.api!.has('airwave_queue_oldest_pending_seconds')).toBe(true);
});

it('has the panels and alerts an operator needs, on the datasource compose provisions; promtool accepts them', async () => {
  const titles = panels.map((p) => p.title);
  for (const t of [
    'Live streams',
    'Ladder speed',
    'Dropped frames',
    'Segment upload latency',
    'S3 errors',
    'Webhook backlog',
    'Oldest webhook waiting',
    'API latency',
    'API errors',
    'Queue depths',
    'Worker take-overs',
  ]) {
    expect(titles).toContain(t);
  }
  expect(rules.map((r) => r.alert).sort()).toEqual(
    [
      'AirwaveDependencyDown',
      'AirwaveLadderBehindRealTime',
      'AirwaveProcessDown',
      'AirwaveTakeoverStorm',
      'AirwaveUploadsFailing',
      'AirwaveWebhookBacklogOld',
    ].sort(),
  );
  const datasource = parse(await readFile(path.join(root, 'infra/grafana/provisioning/datasources/prometheus.yml'), 'utf8')).datasources[0];
  for (const p of panels) {
    expect(p.datasource?.uid, p.title).toBe(datasource.uid);
    expect(p.targets?.length, p.title).toBeGreaterThan(0);
  }
  for (const args of [
    ['check', 'rules', 'infra/prometheus/alerts.yml'],
    ['check', 'config', 'infra/prometheus/prometheus.yml'],
  ]) {
    const run = spawnSync('promtool', args, { cwd: root, encoding: 'utf8' });
    expect(run.status, `promtool ${args.join(' ')}\n${run.stdout}${run.stderr}`).toBe(0);
  }
});

let prometheus: ChildProcess | undefined;
let promDir: string | undefined;
let encoder: Encoder | undefined;
let promUrl = '';
beforeAll(async () => {
  promDir = await mkdtemp(path.join(os.tmpdir(), 'airwave-prometheus-'));
  promUrl = `http://127.0.0.1:${await ephemeralPort()}`;
}, 10_000);
afterAll(async () => {
  await encoder?.stop();
  prometheus?.kill('SIGTERM');
  if (promDir) await rm(promDir, { recursive: true, force: true });
});

const query = async (expr: string) => {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  expect(body.status, `${expr}: ${body.error}`).toBe('success');
  return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
};

it('a real Prometheus scraping the stack answers every panel, and the live panels show the broadcast', async () => {
  const urls = await metricsUrls();
  const target = (u: string) => new URL(u).host;
  await writeFile(
    path.join(promDir!, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(root, 'infra/prometheus/alerts.yml')],
      scrape_configs: [
        { job_name: 'airwave-api', static_configs: [{ targets: [target(urls.api)] }] },
        { job_name: 'airwave-ingest', static_configs: [{ targets: [target(urls.ingest)] }] },
        { job_name: 'airwave-worker', static_configs: [{ targets: [target(urls.worker)] }] },
      ],
    }),
  );
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${path.join(promDir!, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(promDir!, 'data')}`,
      `--web.listen-address=${new URL(promUrl).host}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let promLog = '';
  prometheus.stderr!.on('data', (d: Buffer) => (promLog = (promLog + d.toString()).slice(-3000)));
  await waitFor(async () => (await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok, 30_000, 'Prometheus ready');
  // Scraped once before the broadcast: a counter's first increase is only seen from an earlier sample.
  await waitFor(async () => (await query('up')).filter((r) => r.value === 1).length === 3, 30_000, 'every process scraped');

  const stream = (await stack.api.call('POST', '/v1/live-streams', { body: { name: 'Watched', reconnectWindowSeconds: 0, renditions: ['360p', '240p'] } }))
    .body;
  encoder = startEncoder(stream.ingestUrl, { size: '640x360', seconds: 90 });
  await waitFor(async () => (await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.status === 'active', 40_000, 'stream active');

  // What the dashboard shows while the broadcast runs (each query as the panel sends it).
  const panelQuery = (title: string, i = 0) => panels.find((p) => p.title === title)!.targets![i]!.expr;
  const shows = async (title: string, ok: (rows: { labels: Record<string, string>; value: number }[]) => boolean, i = 0) => {
    let last: unknown;
    return waitFor(
      async () => {
        const rows = await query(panelQuery(title, i));
        last = rows;
        return ok(rows) && rows;
      },
      40_000,
      `panel "${title}" showing the broadcast`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: it shows ${JSON.stringify(last)}\n${promLog}`);
    });
  };
  await shows('Live streams', (rows) => rows.some((r) => r.labels.status === 'active' && r.value >= 1));
  await shows('Ladders running', (rows) => rows.some((r) => r.value >= 1));
  await shows('Publishers per ingest node', (rows) => rows.some((r) => r.labels.protocol === 'rtmp' && r.value >= 1));
  const speed = await shows('Ladder speed', (rows) => rows.length === 1);
  expect(speed[0]!.labels.session_id).toBe((await stack.api.call('GET', `/v1/live-streams/${stream.id}`)).body.currentSessionId);
  expect(speed[0]!.value).toBeGreaterThan(0);
  await shows('Segment upload latency', (rows) => rows.length === 1 && Number.isFinite(rows[0]!.value) && rows[0]!.value > 0, 1);
  await shows('Publish attempts', (rows) => rows.some((r) => r.labels.outcome === 'authorized' && r.value > 0));
  await shows('API latency', (rows) => rows.length === 1 && Number.isFinite(rows[0]!.value));
  await shows('Dependencies', (rows) => rows.length === 2 && rows.every((r) => r.value === 1));
  await shows('Processes up', (rows) => rows.length === 3 && rows.every((r) => r.value === 1));

  // Every other query is valid PromQL against these series (an empty answer is fine: nothing failed).
  for (const p of panels) for (const t of p.targets ?? []) await query(t.expr);
  // The alerts are loaded and evaluate without errors.
  const loaded = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
    data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
  };
  const evaluated = loaded.data.groups.flatMap((g) => g.rules);
  expect(evaluated).toHaveLength(rules.length);
  await waitFor(
    async () => {
      const now = ((await (await fetch(`${promUrl}/api/v1/rules`)).json()) as typeof loaded).data.groups.flatMap((g) => g.rules);
      return now.every((r) => r.health === 'ok');
    },
    10_000,
    'every alert rule evaluated healthy',
  );
}, 150_000);
