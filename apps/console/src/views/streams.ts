import { api } from '../api.js';
import { badge, form, h, when } from '../dom.js';
import type { View } from '../main.js';

interface Stream {
  id: string;
  name: string;
  status: string;
  latencyMode: string;
  playbackPolicy: string;
  record: boolean;
  createdAt: string;
}

export async function streamsView(): Promise<View> {
  const body = h('tbody');
  const render = (streams: Stream[]) =>
    body.replaceChildren(
      ...streams.map((s) =>
        h(
          'tr',
          { 'data-testid': `stream-${s.id}` },
          h('td', {}, h('a', { href: `#/streams/${s.id}` }, s.name)),
          h('td', {}, badge(s.status)),
          h('td', {}, s.latencyMode),
          h('td', {}, s.playbackPolicy),
          h('td', {}, s.record ? 'yes' : 'no'),
          h('td', { class: 'muted' }, when(s.createdAt)),
        ),
      ),
      ...(streams.length ? [] : [h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No live streams yet: create one above.'))]),
    );
  const load = async () => render((await api<{ data: Stream[] }>('GET', '/live-streams?limit=100')).data);
  await load();

  const name = h('input', { name: 'name', placeholder: 'My live stream', required: true, maxlength: 200 });
  const latency = h('select', { name: 'latencyMode' }, h('option', { value: 'standard' }, 'standard latency'), h('option', { value: 'low' }, 'low latency'));
  const policy = h(
    'select',
    { name: 'playbackPolicy' },
    h('option', { value: 'public' }, 'public playback'),
    h('option', { value: 'signed' }, 'signed playback'),
  );
  const record = h('input', { type: 'checkbox', name: 'record', checked: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const create = form(
    { class: 'card row wrap' },
    async () => {
      const s = await api<Stream>('POST', '/live-streams', {
        name: name.value,
        latencyMode: latency.value,
        playbackPolicy: policy.value,
        record: record.checked,
      });
      location.hash = `#/streams/${s.id}`;
    },
    error,
    name,
    latency,
    policy,
    h('label', { class: 'inline' }, record, ' record'),
    h('button', { type: 'submit' }, 'Create live stream'),
  );
  const table = h('table', {}, h('thead', {}, h('tr', {}, ...['Name', 'Status', 'Latency', 'Playback', 'Record', 'Created'].map((t) => h('th', {}, t)))), body);
  return { el: h('section', {}, h('h1', {}, 'Live streams'), create, table), refresh: load };
}
