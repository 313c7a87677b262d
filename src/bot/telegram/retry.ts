import type { Logger } from '../../logger.js';

/** What a failed Bot API call means for the caller. */
export type TelegramFailure =
  /** 429: wait what the server says, then try again. */
  | { kind: 'rate-limited'; retryAfterMs: number }
  /** Network failure or 5xx: try again after a backoff. */
  | { kind: 'transient' }
  /** 401 (bad token) or 409 (another poller or a webhook is active): retrying cannot help. */
  | { kind: 'fatal'; code: number; hint: string }
  /** Any other error (400 chat not found, 403 blocked by the user, bugs): rethrown as is. */
  | { kind: 'permanent' };

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/** Reads telegraf's TelegramError and node-fetch's FetchError by shape, so this stays pure. */
export function classifyTelegramError(error: unknown): TelegramFailure {
  if (typeof error !== 'object' || error === null) return { kind: 'permanent' };
  const e = error as {
    name?: unknown;
    code?: unknown;
    response?: { error_code?: unknown; parameters?: { retry_after?: unknown } };
  };
  const status = typeof e.response?.error_code === 'number' ? e.response.error_code : undefined;
  if (status === 429) {
    const seconds = Number(e.response?.parameters?.retry_after);
    return { kind: 'rate-limited', retryAfterMs: (Number.isFinite(seconds) ? seconds : 1) * 1000 };
  }
  if (status === 401) {
    return {
      kind: 'fatal',
      code: 401,
      hint: 'Telegram refused the bot token: check TELEGRAM_BOT_TOKEN (BotFather /token)',
    };
  }
  if (status === 409) {
    return {
      kind: 'fatal',
      code: 409,
      hint: 'Telegram reports a conflict: another instance is polling with this token, or a webhook is set while polling (run one instance per bot)',
    };
  }
  if (status !== undefined) return status >= 500 ? { kind: 'transient' } : { kind: 'permanent' };
  if (e.name === 'AbortError') return { kind: 'permanent' };
  if (e.name === 'FetchError' || (typeof e.code === 'string' && NETWORK_CODES.has(e.code))) {
    return { kind: 'transient' };
  }
  return { kind: 'permanent' };
}

export interface RetryOptions {
  logger: Logger;
  /** Names the call in logs (the Bot API method). */
  what: string;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The one retry policy for Bot API calls: honour 429 `retry_after`; retry network errors and 5xx
 * with a doubling backoff capped at `maxDelayMs`; log a hint and rethrow on 401/409; rethrow
 * everything else at once.
 */
export async function withTelegramRetries<T>(
  call: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let backoff = options.baseDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const failure = classifyTelegramError(error);
      if (failure.kind === 'fatal') {
        options.logger.error({ method: options.what, code: failure.code }, failure.hint);
        throw error;
      }
      if (failure.kind === 'permanent' || attempt >= maxAttempts) throw error;
      let delayMs: number;
      if (failure.kind === 'rate-limited') {
        delayMs = failure.retryAfterMs;
      } else {
        delayMs = backoff;
        backoff = Math.min(backoff * 2, maxDelayMs);
      }
      options.logger.warn(
        { method: options.what, attempt, delayMs, reason: failure.kind },
        'telegram call failed, retrying',
      );
      await sleep(delayMs);
    }
  }
}
