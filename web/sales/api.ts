// The workspace's calls to /sales/api: JSON in and out, the CSRF token on every change, and the
// server's pt-BR message on failure (a 409 also brings the record as it is now).
const BASE = '/sales/api';
const TIMEOUT_MS = 20_000;

let csrfToken = '';

export function setCsrf(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly current?: unknown,
  ) {
    super(message);
  }
}

/** Fired when the server says the session is over: the page shows the sign-in form. */
export const SIGNED_OUT = 'alcance:signed-out';

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(method !== 'GET' ? { 'x-csrf-token': csrfToken } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new ApiError(0, 'Sem conexão com o servidor. Verifique a internet e tente de novo.');
  }
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : null;
  if (res.ok) return data as T;
  const err = (data ?? {}) as { message?: string; field?: string; current?: unknown };
  if (res.status === 401 && path !== '/login') window.dispatchEvent(new Event(SIGNED_OUT));
  throw new ApiError(
    res.status,
    err.message ?? `O servidor respondeu com erro ${res.status}. Tente de novo.`,
    err.field,
    err.current,
  );
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);

/** Query string of the non-empty values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
