// One live stream: ingest URLs, live preview, health over the last minutes, sessions, recordings,
// and the actions of the API (edit, disable/enable, reset key, end broadcast, delete).
import { api, playableUrl } from '../api.js';
import { badge, copyField, form, h, when } from '../dom.js';
import { healthChart } from '../health-chart.js';
import { viewersChart } from '../viewers-chart.js';
import type { View } from '../main.js';
import { goLive } from '../go-live.js';
import { preview } from '../player.js';
import { recordingsTable, type Asset } from './recordings.js';

interface Stream {
  id: string;
  name: string;
  status: string;
  latencyMode: 'standard' | 'low';
  playbackPolicy: 'public' | 'signed';
  record: boolean;
  reconnectWindowSeconds: number;
  dvrWindowSeconds: number;
  streamKey: string;
  rtmpUrl: string;
  rtmpsUrl: string;
  srtUrl: string | null;
  whipUrl: string | null;
  playbackId: string;
  playback: { hlsUrl: string; playerUrl: string };
  currentSessionId: string | null;
  viewers: { current: number; peak: number };
  input: { type: 'push' } | { type: 'pull'; url: string; state: string; error: string | null };
}

interface Session {
  id: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  stats: Record<string, number | string> | null;
  health: { verdict: string; reasons: { message: string }[] };
  transcodePath: string | null;
}

export async function streamDetailView(id: string): Promise<View> {
  let stream = await api<Stream>('GET', `/live-streams/${id}`);
  const title = h('h1', {}, stream.name, ' ', badge(stream.status));
  const player = preview('preview');
  const camera = goLive(() => stream);
  const previewNote = h('p', { class: 'muted', 'data-testid': 'preview-note' });
  const chart = healthChart();
  const audience = viewersChart();
  const viewersText = h('p', { 'data-testid': 'viewers' });
  const healthText = h('div', { class: 'health', 'data-testid': 'health' });
  const pullState = h('div', { class: 'health', 'data-testid': 'pull-state' });
  const sessionsBody = h('tbody');
  const recordings = h('div');
  const error = h('p', { class: 'error', role: 'alert' });

  const act = (label: string, path: string, confirmText?: string, danger = false) =>
    h(
      'button',
      {
        type: 'button',
        class: danger ? 'danger' : 'secondary',
        onclick: async () => {
          if (confirmText && !confirm(confirmText)) return;
          try {
            if (path === 'DELETE') {
              await api('DELETE', `/live-streams/${id}`);
              location.hash = '#/streams';
              return;
            }
            await api('POST', `/live-streams/${id}/${path}`);
            await refresh(true);
          } catch (err) {
            error.textContent = (err as Error).message;
          }
        },
      },
      label,
    );

  const ingest = h('div', { class: 'card' });
  const renderIngest = () =>
    ingest.replaceChildren(
      h('h2', {}, 'Ingest'),
      copyField('RTMP URL', stream.rtmpUrl, { testId: 'rtmp-url' }),
      copyField('RTMPS URL', stream.rtmpsUrl, { testId: 'rtmps-url' }),
      ...(stream.srtUrl ? [copyField('SRT URL (stream key included)', stream.srtUrl, { secret: true, testId: 'srt-url' })] : []),
      ...(stream.whipUrl ? [copyField('WHIP URL (WebRTC; the stream key is the Bearer token)', stream.whipUrl, { testId: 'whip-url' })] : []),
      copyField('Stream key', stream.streamKey, { secret: true, testId: 'stream-key' }),
      copyField('HLS playback URL', stream.playback.hlsUrl, { testId: 'hls-url' }),
    );
  renderIngest();

  const name = h('input', { name: 'name', value: stream.name, maxlength: 200, required: true });
  const latency = h('select', { name: 'latencyMode' }, ...['standard', 'low'].map((v) => h('option', { value: v, selected: stream.latencyMode === v }, v)));
  const policy = h(
    'select',
    { name: 'playbackPolicy' },
    ...['public', 'signed'].map((v) => h('option', { value: v, selected: stream.playbackPolicy === v }, v)),
  );
  const record = h('input', { type: 'checkbox', checked: stream.record });
  const window_ = h('input', { type: 'number', min: 0, max: 1800, value: stream.reconnectWindowSeconds });
  const dvr = h('input', { type: 'number', name: 'dvrWindowSeconds', min: 0, max: 14400, value: stream.dvrWindowSeconds });
  const edit = form(
    { class: 'card row wrap' },
    async () => {
      stream = await api<Stream>('PATCH', `/live-streams/${id}`, {
        name: name.value,
        latencyMode: latency.value,
        playbackPolicy: policy.value,
        record: record.checked,
        reconnectWindowSeconds: Number(window_.value),
        dvrWindowSeconds: Number(dvr.value),
      });
      await refresh(true);
    },
    h('p', { class: 'error', role: 'alert' }),
    h('label', { class: 'field' }, h('span', {}, 'Name'), name),
    h('label', { class: 'field' }, h('span', {}, 'Latency'), latency),
    h('label', { class: 'field' }, h('span', {}, 'Playback'), policy),
    h('label', { class: 'field' }, h('span', {}, 'Reconnect window (s)'), window_),
    h('label', { class: 'field' }, h('span', {}, 'DVR window (s)'), dvr),
    h('label', { class: 'inline' }, record, ' record'),
    h('button', { type: 'submit' }, 'Save'),
  );

  // An instant clip of the last 30 s (POST /v1/assets): ready in seconds, listed under Recordings.
  const clipNote = h('span', { class: 'muted', 'data-testid': 'clip-note' });
  const clipButton = h(
    'span',
    {},
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          const end = Date.now() - 1000;
          // A broadcast younger than 30 s: all of it (its first segment starts a moment after the publish).
          const start = Math.max(end - 30_000, liveSince + 2_000);
          try {
            const clip = await api<{ id: string }>('POST', '/assets', {
              input: { liveStreamId: id, startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString() },
            });
            clipNote.replaceChildren(' Clip ', h('a', { href: '#/recordings' }, clip.id), ' is being made.');
          } catch (err) {
            error.textContent = (err as Error).message;
          }
        },
      },
      'Clip the last 30 s',
    ),
    clipNote,
  );

  let lastSession: string | undefined;
  let liveSince = 0;
  let shownAssets = '';
  async function refresh(full = false): Promise<void> {
    stream = await api<Stream>('GET', `/live-streams/${id}`);
    title.replaceChildren(stream.name, ' ', badge(stream.status));
    if (full) renderIngest();
    const sessions = (await api<{ data: Session[] }>('GET', `/live-streams/${id}/sessions?limit=10`)).data;
    sessionsBody.replaceChildren(
      ...sessions.map((s) =>
        h(
          'tr',
          {},
          h('td', {}, when(s.startedAt)),
          h('td', {}, s.status),
          h('td', {}, s.endReason ?? (s.endedAt ? 'ended' : '—')),
          h('td', {}, s.transcodePath ?? '—'),
          h('td', {}, h('span', { class: `badge ${s.health.verdict}` }, s.health.verdict)),
        ),
      ),
    );
    const live = stream.status === 'active' || stream.status === 'reconnecting';
    const current = sessions.find((s) => s.id === stream.currentSessionId) ?? sessions[0];
    liveSince = current && current.id === stream.currentSessionId ? Date.parse(current.startedAt) : 0;
    if (current) {
      const st = current.stats ?? {};
      healthText.replaceChildren(
        h('span', { class: `badge ${current.health.verdict}` }, current.health.verdict),
        ` ${st.width ?? '?'}×${st.height ?? '?'} · ${st.fps ?? '?'} fps · ${st.bitrateKbps ?? '?'} kbps · keyframe ${st.keyframeIntervalSeconds ?? '?'} s · ${st.videoCodec ?? ''} ${st.audioCodec ?? ''}`,
        ...current.health.reasons.map((r) => h('div', { class: 'muted' }, r.message)),
      );
      chart.update((await api<{ data: [] }>('GET', `/live-streams/${id}/sessions/${current.id}/stats`)).data);
      lastSession = current.id;
    }
    // A pulled source that cannot be reached has no session to judge: say why here.
    const input = stream.input;
    pullState.replaceChildren(
      ...(input.type === 'pull' && input.state !== 'receiving'
        ? [
            h('span', { class: `badge ${input.error ? 'unhealthy' : 'degraded'}` }, `source ${input.state}`),
            ` ${input.url}${input.error ? ` · ${input.error}` : ''}`,
          ]
        : []),
    );
    if (live) {
      player.load(await playableUrl(stream.playback.hlsUrl, stream.playbackId, stream.playbackPolicy), stream.latencyMode === 'low');
      previewNote.textContent = '';
    } else {
      previewNote.textContent = lastSession ? 'The broadcast has ended.' : 'Waiting for the encoder: publish to the RTMP URL with the stream key.';
    }
    viewersText.replaceChildren(h('strong', {}, String(stream.viewers.current)), ` watching now · peak ${stream.viewers.peak} this broadcast`);
    const since = new Date(Date.now() - 30 * 60 * 1000).toISOString();
    audience.update((await api<{ data: { t: string; viewers: number }[] }>('GET', `/live-streams/${id}/viewers?from=${encodeURIComponent(since)}`)).data);
    const assets = (await api<{ data: Asset[] }>('GET', `/assets?liveStreamId=${id}&limit=10`)).data;
    // Re-render only on a change, so a recording being watched keeps playing.
    const signature = JSON.stringify(assets.map((a) => [a.id, a.status, a.mp4Url]));
    if (signature !== shownAssets) recordings.replaceChildren(recordingsTable(assets));
    shownAssets = signature;
  }
  await refresh();

  const el = h(
    'section',
    {},
    h('p', {}, h('a', { href: '#/streams' }, '← Live streams')),
    title,
    error,
    h(
      'div',
      { class: 'row wrap actions' },
      clipButton,
      act('Disable', 'disable'),
      act('Enable', 'enable'),
      act('End broadcast', 'complete'),
      act('Reset stream key', 'reset-stream-key', 'The current key stops working. Continue?'),
      act('Delete', 'DELETE', 'Delete this live stream? Recordings stay.', true),
    ),
    h('div', { class: 'grid' }, h('div', { class: 'card' }, h('h2', {}, 'Preview'), player.el, previewNote), ingest),
    camera.el,
    h('div', { class: 'card' }, h('h2', {}, 'Viewers'), viewersText, audience.el),
    h('div', { class: 'card' }, h('h2', {}, 'Health'), pullState, healthText, chart.el),
    h('div', { class: 'card' }, h('h2', {}, 'Recordings'), recordings),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Sessions'),
      h('table', {}, h('thead', {}, h('tr', {}, ...['Started', 'Status', 'End', 'Ladder', 'Health'].map((t) => h('th', {}, t)))), sessionsBody),
    ),
    h('h2', {}, 'Settings'),
    edit,
  );
  return {
    el,
    refresh: () => refresh(),
    destroy: () => {
      player.destroy();
      chart.destroy();
      audience.destroy();
      void camera.stop();
    },
  };
}
