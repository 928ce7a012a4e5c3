// The console is an ordinary API client: every call is the public /v1 API with the key the user
// signed in with (kept in this browser's sessionStorage only).
const KEY = 'airwave.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const session = {
  get key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set(key: string) {
    sessionStorage.setItem(KEY, key);
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

export async function api<T = any>(method: string, path: string, body?: unknown, key = session.key): Promise<T> {
  const res = await fetch(`/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key ?? ''}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (res.status === 204) return undefined as T;
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = (json as { error?: { code: string; message: string } }).error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? res.statusText);
  }
  return json as T;
}

/** Signed content needs a token even for its owner's preview: a short one minted by Airwave. */
export async function playableUrl(url: string, playbackId: string, policy: string): Promise<string> {
  if (policy !== 'signed') return url;
  const { token } = await api<{ token: string }>('POST', '/playback-tokens', { playbackId, expiresInSeconds: 3600 });
  return `${url}?token=${encodeURIComponent(token)}`;
}
