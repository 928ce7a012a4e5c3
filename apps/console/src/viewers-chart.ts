// Viewers per 10 s over the last half hour (GET /live-streams/:id/viewers), beside the current count.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ViewerPoint {
  t: string;
  viewers: number;
}

export function viewersChart(width = 860): { el: HTMLElement; update(points: ViewerPoint[]): void; destroy(): void } {
  const el = document.createElement('div');
  el.dataset.testid = 'viewers-chart';
  const plot = new uPlot(
    {
      width,
      height: 160,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(Math.ceil(max * 1.2), 5)] } },
      axes: [{ stroke: '#9aa3b5' }, { label: 'viewers', stroke: '#9aa3b5' }],
      series: [{}, { label: 'viewers', stroke: '#a46bff', fill: 'rgba(164,107,255,0.15)', width: 2, paths: uPlot.paths.stepped!({ align: 1 }) }],
    },
    [[], []],
    el,
  );
  return {
    el,
    update(points) {
      el.dataset.points = String(points.length);
      plot.setData([points.map((p) => Date.parse(p.t) / 1000), points.map((p) => p.viewers)] as uPlot.AlignedData);
    },
    destroy: () => plot.destroy(),
  };
}
