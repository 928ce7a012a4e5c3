// Hash routes: #/login, #/streams, #/streams/<id>, #/recordings, #/webhooks, #/api-keys. Each view renders once
// and refreshes itself every few seconds (live status without reload), until the route changes.
import './style.css';
import { ApiError, session } from './api.js';
import { mount } from './dom.js';
import { apiKeysView } from './views/api-keys.js';
import { loginView } from './views/login.js';
import { recordingsView } from './views/recordings.js';
import { streamDetailView } from './views/stream-detail.js';
import { streamsView } from './views/streams.js';
import { webhooksView } from './views/webhooks.js';

export interface View {
  el: HTMLElement;
  refresh?(): Promise<void>;
  destroy?(): void;
}

const REFRESH_MS = 2500;
const app = document.getElementById('app')!;
const signOut = document.getElementById('sign-out')!;
let current: View | undefined;
let timer: number | undefined;

signOut.addEventListener('click', () => {
  session.clear();
  location.hash = '#/login';
});

async function route(): Promise<void> {
  current?.destroy?.();
  window.clearInterval(timer);
  const path = location.hash.replace(/^#/, '') || '/streams';
  signOut.hidden = !session.key;
  if (!session.key && path !== '/login') {
    location.hash = '#/login';
    return;
  }
  const [, section, id] = path.split('/');
  try {
    current =
      section === 'login'
        ? loginView()
        : section === 'streams' && id
          ? await streamDetailView(id)
          : section === 'recordings'
            ? await recordingsView()
            : section === 'webhooks'
              ? await webhooksView()
              : section === 'api-keys'
                ? await apiKeysView()
                : await streamsView();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      session.clear();
      location.hash = '#/login';
      return;
    }
    throw err;
  }
  mount(app, current.el);
  const view = current;
  if (view.refresh) timer = window.setInterval(() => void view.refresh!().catch(() => {}), REFRESH_MS);
}

window.addEventListener('hashchange', () => void route());
void route();
