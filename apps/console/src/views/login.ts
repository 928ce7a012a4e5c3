import { api, ApiError, session } from '../api.js';
import { form, h } from '../dom.js';
import type { View } from '../main.js';

export function loginView(): View {
  const input = h('input', { type: 'password', name: 'apiKey', placeholder: 'aw_key_…', autocomplete: 'off', required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const signIn = form(
    { class: 'card narrow' },
    async () => {
      const key = input.value.trim();
      try {
        await api('GET', '/live-streams?limit=1', undefined, key);
      } catch (err) {
        throw err instanceof ApiError && err.status === 401
          ? new Error('That API key is not valid.')
          : new Error(`Could not sign in: ${(err as Error).message}`);
      }
      session.set(key);
      location.hash = '#/streams';
    },
    error,
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Use an API key of your project (npm run up prints one). It stays in this browser tab only.'),
    h('label', { class: 'field' }, h('span', {}, 'API key'), input),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  return { el: signIn };
}
