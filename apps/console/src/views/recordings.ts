// VOD recordings: play in the page (hls.js), download the MP4.
import { api, playableUrl } from '../api.js';
import { badge, h, when } from '../dom.js';
import type { View } from '../main.js';
import { preview } from '../player.js';

export interface Asset {
  id: string;
  status: string;
  durationSeconds: number | null;
  playbackId: string;
  playbackPolicy: string;
  playback: { hlsUrl: string };
  mp4Url: string | null;
  liveStreamId: string | null;
  clip: { source: { liveStreamId?: string; assetId?: string } } | null;
  views: number;
  watchTimeSeconds: number;
  createdAt: string;
}

const player = preview('recording-player');

async function play(a: Asset, holder: HTMLElement) {
  holder.replaceChildren(player.el);
  player.load(await playableUrl(a.playback.hlsUrl, a.playbackId, a.playbackPolicy), false);
}

export function recordingsTable(assets: Asset[]): HTMLElement {
  const holder = h('div', { class: 'recording-player' });
  if (assets.length === 0) return h('p', { class: 'muted' }, 'No recordings yet. Each broadcast of a recorded stream becomes one.');
  const rows = assets.map((a) =>
    h(
      'tr',
      { 'data-testid': `asset-${a.id}` },
      h('td', {}, when(a.createdAt), a.clip ? h('span', { class: 'muted' }, ' · clip') : null),
      h('td', {}, badge(a.status)),
      h('td', {}, `${a.views} · ${Math.round(a.watchTimeSeconds / 60)} min`),
      h('td', {}, a.durationSeconds !== null ? `${a.durationSeconds.toFixed(1)} s` : '—'),
      h(
        'td',
        {},
        a.status === 'ready' ? h('button', { type: 'button', class: 'small', onclick: () => void play(a, holder) }, 'Play') : null,
        ' ',
        a.mp4Url
          ? h(
              'a',
              {
                href: '#',
                class: 'small',
                onclick: async (e: Event) => {
                  e.preventDefault();
                  window.open(await playableUrl(a.mp4Url!, a.playbackId, a.playbackPolicy), '_blank');
                },
              },
              'Download MP4',
            )
          : null,
      ),
    ),
  );
  return h(
    'div',
    {},
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['Recorded', 'Status', 'Views · watched', 'Duration', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...rows),
    ),
    holder,
  );
}

export async function recordingsView(): Promise<View> {
  const body = h('div');
  const load = async () => body.replaceChildren(recordingsTable((await api<{ data: Asset[] }>('GET', '/assets?limit=50')).data));
  await load();
  return { el: h('section', {}, h('h1', {}, 'Recordings'), body) };
}
