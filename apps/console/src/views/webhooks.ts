// Webhook endpoints and their delivery attempts.
import { api } from '../api.js';
import { form, h, when } from '../dom.js';
import type { View } from '../main.js';

interface Webhook {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret?: string;
  createdAt: string;
}
interface Delivery {
  id: string;
  eventType: string;
  attempt: number;
  outcome: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  createdAt: string;
}

export async function webhooksView(): Promise<View> {
  const list = h('tbody');
  const deliveries = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Select an endpoint to see its delivery attempts.'));
  const created = h('div');
  let selected: string | undefined;

  const showDeliveries = async (w: Webhook) => {
    selected = w.id;
    const rows = (await api<{ data: Delivery[] }>('GET', `/webhooks/${w.id}/deliveries?limit=50`)).data;
    deliveries.replaceChildren(
      h('h2', {}, 'Deliveries to ', h('code', {}, w.url)),
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No deliveries yet.')
        : h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ...['When', 'Event', 'Attempt', 'Outcome', 'HTTP', 'ms', 'Error'].map((t) => h('th', {}, t)))),
            h(
              'tbody',
              {},
              ...rows.map((d) =>
                h(
                  'tr',
                  {},
                  h('td', {}, when(d.createdAt)),
                  h('td', {}, d.eventType),
                  h('td', {}, d.attempt),
                  h('td', {}, h('span', { class: `badge ${d.outcome}` }, d.outcome)),
                  h('td', {}, d.statusCode ?? '—'),
                  h('td', {}, d.durationMs),
                  h('td', { class: 'muted' }, d.error ?? ''),
                ),
              ),
            ),
          ),
    );
  };

  const load = async () => {
    const hooks = (await api<{ data: Webhook[] }>('GET', '/webhooks?limit=100')).data;
    list.replaceChildren(
      ...hooks.map((w) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: '#/webhooks', onclick: (e: Event) => (e.preventDefault(), void showDeliveries(w)) }, w.url)),
          h('td', {}, w.events.length ? w.events.join(', ') : 'all events'),
          h('td', {}, w.enabled ? 'enabled' : 'disabled'),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'small danger',
                onclick: async () => {
                  if (!confirm(`Delete ${w.url}?`)) return;
                  await api('DELETE', `/webhooks/${w.id}`);
                  await load();
                },
              },
              'Delete',
            ),
          ),
        ),
      ),
    );
    const current = hooks.find((w) => w.id === selected);
    if (current) await showDeliveries(current);
  };
  await load();

  const url = h('input', { type: 'url', placeholder: 'https://example.com/airwave-webhooks', required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const add = form(
    { class: 'card row wrap' },
    async () => {
      const w = await api<Webhook>('POST', '/webhooks', { url: url.value });
      created.replaceChildren(h('p', { class: 'notice' }, 'Signing secret (shown once — verify deliveries with it): ', h('code', {}, w.secret ?? '')));
      url.value = '';
      await load();
    },
    error,
    url,
    h('button', { type: 'submit' }, 'Add endpoint'),
  );
  return {
    el: h(
      'section',
      {},
      h('h1', {}, 'Webhooks'),
      add,
      created,
      h('table', {}, h('thead', {}, h('tr', {}, ...['URL', 'Events', 'State', ''].map((t) => h('th', {}, t)))), list),
      deliveries,
    ),
    refresh: load,
  };
}
