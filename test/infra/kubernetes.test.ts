// infra/k8s cannot be applied here (no cluster): every manifest is validated against the
// Kubernetes (and KEDA) JSON schemas from kubernetes-models, and against what Airwave needs: a
// config its apps accept in production, probes, resources, disruption budgets, load balancers for
// TCP and UDP ingest, a drain window longer than the ingest's deadline, and an autoscaler that reads
// the real BullMQ transcode keys.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_ENV, loadConfig, type AppName } from '@airwave/config';
import { QUEUE_NAMES } from '@airwave/jobs';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const BASE = 'infra/k8s/base';
type Doc = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: any };

const models: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/Namespace': Namespace,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

const load = (file: string): Doc[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJSON() as Doc)
    .filter(Boolean);
const kustomization = (dir: string) =>
  parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[]; images?: { name: string }[]; replicas?: { name: string }[] };
const base = kustomization(BASE).resources.flatMap((r) => load(path.join(BASE, r)));
const find = (kind: string, name: string) => base.find((d) => d.kind === kind && d.metadata.name === name)!;
const deployments = base.filter((d) => d.kind === 'Deployment');

/** What a container's process sees: its ConfigMap, its Secret (the example's keys) and its own env. */
function containerEnv(c: any, app: AppName, secrets: Doc[]): Record<string, string> {
  const config = find('ConfigMap', `airwave-${app}-config`).data as Record<string, string>;
  const secret = secrets.find((s) => s.metadata.name === `airwave-${app}-secrets`)!.stringData as Record<string, string>;
  const own = Object.fromEntries(
    (c.env ?? []).map((e: any) => [
      e.name,
      String(e.value ?? 'from-field')
        .replace('$(POD_IP)', '10.0.0.7')
        .replace('$(HOST_IP)', '10.0.0.8')
        .replace('$(NODE_NAME)', 'node-1'),
    ]),
  );
  return { ...config, ...secret, ...own };
}

describe('infra/k8s', () => {
  it('every manifest is valid against the Kubernetes and KEDA schemas', () => {
    const overlay = 'infra/k8s/overlays/production';
    const docs = [
      ...base,
      ...load(path.join(BASE, 'secret.example.yaml')),
      ...kustomization(overlay)
        .resources.filter((r) => r.endsWith('.yaml'))
        .flatMap((r) => load(path.join(overlay, r))),
    ];
    expect(docs.length).toBeGreaterThanOrEqual(12);
    for (const doc of docs) {
      const Model = models[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `${doc.kind} ${doc.metadata.name}: no schema to check it against`).toBeDefined();
      expect(() => new Model!(doc).validate(), `${doc.kind} ${doc.metadata.name}`).not.toThrow();
    }
  });

  it('the production overlay points at files that exist and names only images and deployments of the base', () => {
    const overlay = kustomization('infra/k8s/overlays/production');
    for (const r of overlay.resources) expect(existsSync(path.join('infra/k8s/overlays/production', r)), r).toBe(true);
    const images = new Set(
      deployments.flatMap((d) => [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])].map((c: { image: string }) => c.image)),
    );
    for (const i of overlay.images ?? []) expect(images.has(i.name), i.name).toBe(true);
    for (const r of overlay.replicas ?? [])
      expect(
        deployments.some((d) => d.metadata.name === r.name),
        r.name,
      ).toBe(true);
  });

  it('each app gets a ConfigMap and a Secret of its own, with only the variables it reads, and starts in production', () => {
    const secrets = load(path.join(BASE, 'secret.example.yaml'));
    for (const d of deployments) {
      const app = d.metadata.name.replace('airwave-', '') as AppName;
      for (const c of [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]) {
        expect(c.envFrom.map((e: any) => e.configMapRef?.name ?? e.secretRef?.name).sort(), d.metadata.name).toEqual([
          `airwave-${app}-config`,
          `airwave-${app}-secrets`,
        ]);
        const env = containerEnv(c, app, secrets);
        // POD_IP, NODE_NAME and HOST_IP only feed other variables; everything else is a variable this app reads.
        for (const key of Object.keys(env).filter((k) => !['POD_IP', 'NODE_NAME', 'HOST_IP'].includes(k)))
          expect(APP_ENV[app], `${d.metadata.name}: ${key}`).toContain(key);
        expect(() => loadConfig(env, app), d.metadata.name).not.toThrow();
      }
    }
    const ingest = containerEnv(find('Deployment', 'airwave-ingest').spec.template.spec.containers[0], 'ingest', secrets);
    for (const key of [
      'DATABASE_URL',
      'STORAGE_SECRET_ACCESS_KEY',
      'STORAGE_ACCESS_KEY_ID',
      'STREAM_KEY_ENCRYPTION_KEY',
      'SECRETS_ENCRYPTION_KEY',
      'PLAYBACK_SIGNING_KEY',
    ])
      expect(ingest, key).not.toHaveProperty(key);
    const worker = containerEnv(find('Deployment', 'airwave-worker').spec.template.spec.containers[0], 'worker', secrets);
    expect(worker).not.toHaveProperty('STREAM_KEY_ENCRYPTION_KEY');
    expect(worker).not.toHaveProperty('PLAYBACK_SIGNING_KEY');
  });

  it('every deployment has probes where it serves, resource requests, non-root pods and a disruption budget', () => {
    for (const d of deployments) {
      const name = d.metadata.name;
      const pod = d.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot, name).toBe(true);
      for (const c of pod.containers) expect(c.resources.requests.cpu, name).toBeDefined();
      const pdb = base.find((p) => p.kind === 'PodDisruptionBudget' && p.metadata.name === name);
      expect(pdb?.spec.selector.matchLabels, name).toEqual(d.spec.selector.matchLabels);
    }
    const api = find('Deployment', 'airwave-api').spec.template.spec.containers[0];
    expect(api.readinessProbe.httpGet.path).toBe('/readyz');
    expect(api.livenessProbe.httpGet.path).toBe('/healthz');
    expect(find('Deployment', 'airwave-api').spec.template.spec.initContainers[0].command).toContain('deploy');
  });

  it('api: internal endpoints on their own port, reached by ingest pods only', () => {
    const api = find('Deployment', 'airwave-api').spec.template.spec.containers[0];
    const env = Object.fromEntries(api.env.map((e: any) => [e.name, e.value]));
    const config = loadConfig({ ...find('ConfigMap', 'airwave-api-config').data, ...env, NODE_ENV: 'development' });
    const port = config.api.internalListener!.port;
    expect(api.ports.find((p: any) => p.name === 'internal').containerPort).toBe(port);
    const svc = find('Service', 'airwave-api');
    expect(svc.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(config.api.internalUrl).toBe(`http://${svc.metadata.name}:${svc.spec.ports.find((p: any) => p.name === 'internal').port}`);
    const policy = find('NetworkPolicy', 'airwave-api').spec;
    const rule = policy.ingress.find((r: any) => r.ports.some((p: any) => p.port === port));
    expect(rule.from).toEqual([{ podSelector: { matchLabels: find('Deployment', 'airwave-ingest').spec.selector.matchLabels } }]);
  });

  it('ingest: TCP and UDP load balancers on the container ports, a grace period longer than the drain deadline', () => {
    const ingest = find('Deployment', 'airwave-ingest');
    const container = ingest.spec.template.spec.containers[0];
    const ports = Object.fromEntries(container.ports.map((p: any) => [p.name, p]));
    const config = find('ConfigMap', 'airwave-ingest-config').data;
    expect(ports.rtmp.containerPort).toBe(Number(config.INGEST_RTMP_PORT));
    expect(ports.rtmps.containerPort).toBe(Number(config.INGEST_RTMPS_PORT));
    expect(ports.srt).toMatchObject({ containerPort: Number(config.INGEST_SRT_PORT), protocol: 'UDP' });
    expect(ingest.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(config.INGEST_DRAIN_SECONDS));
    expect(container.readinessProbe.tcpSocket.port).toBe('rtmp'); // fails as soon as a drain closes the listener
    const tcp = find('Service', 'airwave-ingest-tcp');
    const udp = find('Service', 'airwave-ingest-srt');
    expect(tcp.spec.type).toBe('LoadBalancer');
    expect(tcp.spec.ports.map((p: any) => [p.port, p.targetPort, p.protocol])).toEqual([
      [1935, 'rtmp', 'TCP'],
      [443, 'rtmps', 'TCP'],
      [Number(config.INGEST_WHIP_PORT), 'whip', 'TCP'],
    ]);
    expect(ports.whip.containerPort).toBe(Number(config.INGEST_WHIP_PORT));
    expect(udp.spec.ports.map((p: any) => [p.targetPort, p.protocol])).toEqual([['srt', 'UDP']]);
    const pullUrl = container.env.find((e: any) => e.name === 'INGEST_INTERNAL_URL').value;
    expect(pullUrl).toBe(`rtmp://$(POD_IP):${config.INGEST_RTMP_PORT}/live`);
  });

  it('edges: node network for the UDP range, one per node, scaled on viewers the API reports', () => {
    const edge = find('Deployment', 'airwave-edge').spec.template.spec;
    expect(edge.hostNetwork).toBe(true);
    expect(edge.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    const env = containerEnv(edge.containers[0], 'edge', load(path.join(BASE, 'secret.example.yaml')));
    const config = loadConfig(env, 'edge');
    expect(config.webrtc.portRange).toEqual([41000, 41999]);
    expect(config.webrtc.publicIp).toBe('10.0.0.8');
    expect(edge.containers[0].readinessProbe.httpGet.path).toBe('/healthz');
    const scaled = find('ScaledObject', 'airwave-edge');
    expect(scaled.spec.triggers[0].metadata.url).toBe('http://airwave-api:3001/internal/webrtc/load');
    expect(Number(scaled.spec.triggers[0].metadata.targetValue)).toBeLessThan(config.edge.maxViewers);
  });

  it('workers scale on the BullMQ transcode queue keys Airwave really writes', () => {
    const scaled = find('ScaledObject', 'airwave-worker');
    const prefix = find('ConfigMap', 'airwave-worker-config').data.REDIS_PREFIX;
    expect(QUEUE_NAMES).toContain('transcode');
    expect(scaled.spec.scaleTargetRef.name).toBe('airwave-worker');
    const lists = scaled.spec.triggers.map((t: any) => t.metadata.listName);
    expect(lists).toEqual([`${prefix}:transcode:active`, `${prefix}:transcode:wait`]);
    const concurrency = find('ConfigMap', 'airwave-worker-config').data.WORKER_CONCURRENCY;
    expect(scaled.spec.triggers[0].metadata.listLength).toBe(concurrency);
    expect(find('TriggerAuthentication', scaled.spec.triggers[0].authenticationRef.name)).toBeDefined();
  });
});
