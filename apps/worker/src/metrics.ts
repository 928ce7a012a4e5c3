// What this worker exposes at /metrics (METRICS_PORT, default 9464): the live ladders it runs and
// how they keep up, storage requests, take-overs and job outcomes. infra/grafana and
// infra/prometheus/alerts.yml are built on these names.
import { QUEUE_NAMES } from '@airwave/jobs';
import { Counter, Gauge, processRegistry, storageRequests } from '@airwave/metrics';

export const registry = processRegistry();

const ladders = new Gauge({
  name: 'airwave_ladders_running',
  help: 'Live ladders (one ffmpeg per session) running on this worker',
  labelNames: ['latency_mode'],
  registers: [registry],
});
const ladderSpeed = new Gauge({
  name: 'airwave_ladder_speed',
  help: "Each running ladder's ffmpeg speed: 1 is real time, below 1 it falls behind",
  labelNames: ['session_id'],
  registers: [registry],
});
const droppedFrames = new Counter({ name: 'airwave_ladder_dropped_frames_total', help: 'Frames the ladders dropped to keep up', registers: [registry] });
const takeovers = new Counter({
  name: 'airwave_worker_takeovers_total',
  help: "Work this worker handed on: another worker's after it died, or its own when shutting down",
  labelNames: ['reason'],
  registers: [registry],
});
const jobs = new Counter({
  name: 'airwave_jobs_processed_total',
  help: 'Job attempts by queue and outcome',
  labelNames: ['queue', 'outcome'],
  registers: [registry],
});

// Series exist from the start at 0, so a first take-over or job shows up in rate() and increase().
for (const reason of ['died', 'shutdown']) takeovers.inc({ reason }, 0);
for (const queue of QUEUE_NAMES) for (const outcome of ['completed', 'failed']) jobs.inc({ queue, outcome }, 0);

export const workerMetrics = {
  observeStorage: storageRequests(registry),
  takeover: (reason: string, items: number) => takeovers.inc({ reason }, items),
  job: (queue: string, outcome: 'completed' | 'failed') => jobs.inc({ queue, outcome }),
  /** One ladder for as long as it runs: report its progress every few seconds, end it once. */
  ladder(sessionId: string, latencyMode: string) {
    ladders.inc({ latency_mode: latencyMode });
    let dropsSeen = 0;
    return {
      report({ speed, dropFrames }: { speed?: number; dropFrames?: number }) {
        if (speed !== undefined) ladderSpeed.set({ session_id: sessionId }, speed);
        if (dropFrames !== undefined && dropFrames > dropsSeen) {
          droppedFrames.inc(dropFrames - dropsSeen);
          dropsSeen = dropFrames;
        }
      },
      end() {
        ladders.dec({ latency_mode: latencyMode });
        ladderSpeed.remove({ session_id: sessionId });
      },
    };
  },
};
