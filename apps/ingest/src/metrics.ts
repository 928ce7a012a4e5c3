// What this ingest node exposes at /metrics (METRICS_PORT, default 9465): who is publishing, by
// protocol, and how publish attempts end. Names used by infra/grafana and infra/prometheus.
import { Counter, Gauge, processRegistry } from '@airwave/metrics';

export const registry = processRegistry();

const attempts = new Counter({
  name: 'airwave_ingest_publish_attempts_total',
  help: 'Publish attempts by outcome: authorized, or the refusal reason (unknown_key, disabled, already_live, api_unreachable, …)',
  labelNames: ['outcome'],
  registers: [registry],
});

// Series exist from the start at 0, so the first attempt of each kind shows up in rate() (Prometheus
// cannot see a counter's increase from absent to 1).
for (const outcome of ['authorized', 'unknown_key', 'disabled', 'already_live', 'deleted', 'api_unreachable']) attempts.inc({ outcome }, 0);

export const ingestMetrics = {
  /** `reason` as the API gave it; details after a colon (an error message) are not a label. */
  attempt: (outcome: string) => attempts.inc({ outcome: outcome.split(':')[0]! }),
  /** Publishers now, read at scrape time (RTMP counts every publish; SRT and WHIP are bridged into it). */
  publishers(count: () => { rtmp: number; srt: number; whip: number }) {
    new Gauge({
      name: 'airwave_ingest_publishers',
      help: 'Publishers connected to this node, by protocol (srt and whip are also counted in rtmp, which they are bridged into)',
      labelNames: ['protocol'],
      registers: [registry],
      collect() {
        for (const [protocol, n] of Object.entries(count())) this.set({ protocol }, n);
      },
    });
  },
};
