// Bitrate, frame rate and keyframe interval over the session's last minutes (uPlot: small, fast).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Sample {
  t: string;
  bitrateKbps?: number;
  fps?: number;
  keyframeIntervalSeconds?: number;
}

export function healthChart(width = 860): { el: HTMLElement; update(samples: Sample[]): void; destroy(): void } {
  const el = document.createElement('div');
  el.dataset.testid = 'health-chart';
  const plot = new uPlot(
    {
      width,
      height: 220,
      // At least the last minute, so one sample does not stretch the axis over years.
      scales: {
        x: { time: true, range: (_u, min, max) => [Math.min(min, max - 60), max] },
        kbps: { range: (_u, _min, max) => [0, Math.max(max * 1.2, 100)] },
        n: { range: (_u, _min, max) => [0, Math.max(max * 1.2, 10)] },
      },
      axes: [
        { stroke: '#9aa3b5' },
        { scale: 'kbps', label: 'kbps', stroke: '#9aa3b5' },
        { scale: 'n', side: 1, label: 'fps · keyframe s', stroke: '#9aa3b5', grid: { show: false } },
      ],
      series: [
        {},
        { label: 'bitrate (kbps)', scale: 'kbps', stroke: '#4f8cff', width: 2 },
        { label: 'fps', scale: 'n', stroke: '#2fbf71', width: 2 },
        { label: 'keyframe interval (s)', scale: 'n', stroke: '#f5a524', width: 2 },
      ],
    },
    [[], [], [], []],
    el,
  );
  return {
    el,
    update(samples) {
      el.dataset.samples = String(samples.length);
      plot.setData([
        samples.map((s) => Date.parse(s.t) / 1000),
        samples.map((s) => s.bitrateKbps ?? null),
        samples.map((s) => s.fps ?? null),
        samples.map((s) => s.keyframeIntervalSeconds ?? null),
      ] as uPlot.AlignedData);
    },
    destroy: () => plot.destroy(),
  };
}
