// API keys: create one with the scopes a job needs (its secret is shown once), see when each was last
// used, delete the ones no longer needed. The API refuses to delete the last write key in use.
import { api } from '../api.js';
import { copyField, form, h, when } from '../dom.js';
import type { View } from '../main.js';

interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  secret?: string;
}

const SCOPES: [string, string][] = [
  ['read', 'read — every GET'],
  ['write', 'write — full access'],
  ['playback', 'playback — mint playback tokens only'],
];

export async function apiKeysView(): Promise<View> {
  const list = h('tbody');
  const created = h('div');
  const rowError = h('p', { class: 'error', role: 'alert' });

  const load = async () => {
    const keys = (await api<{ data: ApiKey[] }>('GET', '/api-keys?limit=100')).data;
    list.replaceChildren(
      ...keys.map((k) =>
        h(
          'tr',
          { 'data-testid': `key-${k.id}` },
          h('td', {}, k.name),
          h('td', {}, h('code', {}, k.prefix)),
          h('td', { 'data-testid': 'scopes' }, k.scopes.join(', ')),
          h('td', {}, when(k.createdAt)),
          h('td', {}, when(k.lastUsedAt)),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'small danger',
                onclick: async () => {
                  if (!confirm(`Delete the key "${k.name}"? Requests with it will fail.`)) return;
                  rowError.textContent = '';
                  await api('DELETE', `/api-keys/${k.id}`).catch((err: Error) => (rowError.textContent = err.message));
                  await load();
                },
              },
              'Delete',
            ),
          ),
        ),
      ),
    );
  };
  await load();

  const name = h('input', { name: 'keyName', placeholder: 'What this key is for', required: true, maxlength: 100 });
  const boxes = SCOPES.map(([scope, label]) => {
    const box = h('input', { type: 'checkbox', name: 'scope', value: scope, checked: scope === 'read' });
    return { scope, el: h('label', { class: 'check' }, box, ` ${label}`), box };
  });
  const error = h('p', { class: 'error', role: 'alert' });
  const add = form(
    { class: 'card row wrap' },
    async () => {
      const scopes = boxes.filter((b) => b.box.checked).map((b) => b.scope);
      const key = await api<ApiKey>('POST', '/api-keys', { name: name.value, scopes });
      created.replaceChildren(
        h(
          'div',
          { class: 'notice' },
          h('p', {}, `Key "${key.name}" (${key.scopes.join(', ')}) — copy it now, it is shown once:`),
          copyField('Secret', key.secret ?? '', { testId: 'new-key' }),
        ),
      );
      name.value = '';
      await load();
    },
    error,
    name,
    ...boxes.map((b) => b.el),
    h('button', { type: 'submit' }, 'Create key'),
  );
  return {
    el: h(
      'section',
      {},
      h('h1', {}, 'API keys'),
      add,
      created,
      rowError,
      h('table', {}, h('thead', {}, h('tr', {}, ...['Name', 'Prefix', 'Scopes', 'Created', 'Last used', ''].map((t) => h('th', {}, t)))), list),
    ),
    refresh: load,
  };
}
