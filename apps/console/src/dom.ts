// A tiny element builder: enough for a console of tables and forms, no framework to ship.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function mount(root: HTMLElement, ...children: Child[]): void {
  root.replaceChildren(
    ...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : String(c))),
  );
}

/** A read-only field with a copy button (URLs and keys). */
export function copyField(label: string, value: string, opts: { secret?: boolean; testId?: string } = {}): HTMLElement {
  const input = h('input', { readonly: true, value, type: opts.secret ? 'password' : 'text', 'data-testid': opts.testId });
  const copy = h(
    'button',
    { type: 'button', class: 'small', onclick: () => void navigator.clipboard?.writeText(value).then(() => flash(copy, 'Copied')) },
    'Copy',
  );
  const reveal = opts.secret
    ? h('button', { type: 'button', class: 'small', onclick: () => (input.type = input.type === 'password' ? 'text' : 'password') }, 'Show')
    : null;
  return h('label', { class: 'field' }, h('span', {}, label), h('div', { class: 'row' }, input, reveal, copy));
}

function flash(btn: HTMLElement, text: string) {
  const before = btn.textContent;
  btn.textContent = text;
  setTimeout(() => (btn.textContent = before), 1200);
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

export function badge(status: string): HTMLElement {
  return h('span', { class: `badge ${status}`, 'data-testid': 'status' }, status === 'active' ? 'LIVE' : status);
}

/** A form whose submit runs `action`; a failure is shown in `error` (an element of the form) instead of thrown. */
export function form(attrs: Attrs, action: () => Promise<void>, error: HTMLElement, ...children: Child[]): HTMLFormElement {
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    error.textContent = '';
    try {
      await action();
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  };
  return h('form', { ...attrs, onsubmit }, ...children, error);
}
