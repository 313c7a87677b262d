import type { Logger } from '../../logger.js';

/** What a failed Graph API call means for the sender (Meta's error codes reference). */
export type CloudFailure =
  /** 131056: too many messages to this customer in a short time; wait, then retry. */
  | { kind: 'pair-rate'; code: number }
  /** 130429, 80007, 4, HTTP 429: the number's or app's throughput; wait, then retry. */
  | { kind: 'throughput'; code: number; retryAfterMs?: number }
  /** 131047: more than 24 hours since the customer wrote; only a template can go. */
  | { kind: 'window-closed'; code: number }
  /** 190, 0, HTTP 401: the access token expired or is invalid; nothing goes until it is replaced. */
  | { kind: 'token'; code: number }
  /** 10, 200-299, 3, HTTP 403: the token lacks a permission or the asset is not shared with it. */
  | { kind: 'permission'; code: number }
  /** 5xx, 1, 2, 131000, 131016, network errors, timeouts: retry with backoff. */
  | { kind: 'transient'; code?: number }
  /** 100, 131008, 131009, 135000, our own validation: this message as built was refused. */
  | { kind: 'rejected'; code: number }
  /** 132xxx: the template (name, language, parameters) was refused. */
  | { kind: 'template'; code: number }
  /** The customer cannot get it (131026 undeliverable, blocked, restricted account...). */
  | { kind: 'undeliverable'; code: number };

const THROUGHPUT = new Set([130429, 80007, 4, 613]);
const TOKEN = new Set([190, 0, 102]);
const PERMISSION = new Set([3, 10]);
const TRANSIENT = new Set([1, 2, 131000, 131016, 133004]);
const REJECTED = new Set([100, 131008, 131009, 131051, 135000, 131053]);
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
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/** Classifies a Graph API error code (from a response or a failed-status webhook). */
export function classifyCode(code: number, httpStatus?: number): CloudFailure {
  if (code === 131056) return { kind: 'pair-rate', code };
  if (code === 131047) return { kind: 'window-closed', code };
  if (THROUGHPUT.has(code)) return { kind: 'throughput', code };
  if (TOKEN.has(code)) return { kind: 'token', code };
  if (PERMISSION.has(code) || (code >= 200 && code <= 299)) return { kind: 'permission', code };
  if (TRANSIENT.has(code)) return { kind: 'transient', code };
  if (REJECTED.has(code)) return { kind: 'rejected', code };
  if (code >= 132000 && code < 133000) return { kind: 'template', code };
  if (httpStatus === 401) return { kind: 'token', code };
  if (httpStatus === 403) return { kind: 'permission', code };
  if (httpStatus === 429) return { kind: 'throughput', code };
  if (httpStatus !== undefined && httpStatus >= 500) return { kind: 'transient', code };
  return { kind: 'undeliverable', code };
}

/**
 * Classifies whatever a Cloud API call threw: the client library's GraphApiError (read by shape:
 * `httpStatus`, `code`, `retry.retryAfterMs`), its local validation errors, fetch's network
 * errors and timeouts.
 */
export function classifyCloudError(error: unknown): CloudFailure {
  if (typeof error !== 'object' || error === null) return { kind: 'transient' };
  const e = error as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    httpStatus?: unknown;
    retry?: { retryAfterMs?: unknown };
    cause?: { code?: unknown };
  };
  if (e.name === 'GraphApiError' && typeof e.httpStatus === 'number') {
    const code = typeof e.code === 'number' ? e.code : e.httpStatus;
    const failure = classifyCode(code, e.httpStatus);
    const after = e.retry?.retryAfterMs;
    if (failure.kind === 'throughput' && typeof after === 'number') {
      return { ...failure, retryAfterMs: after };
    }
    return failure;
  }
  if (
    e.name === 'ZodError' ||
    (typeof e.message === 'string' && /validation failed/.test(e.message))
  ) {
    return { kind: 'rejected', code: 0 };
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'transient' };
  const networkCode = typeof e.code === 'string' ? e.code : e.cause?.code;
  if (typeof networkCode === 'string' && NETWORK_CODES.has(networkCode))
    return { kind: 'transient' };
  if (e.name === 'TypeError' && e.message === 'fetch failed') return { kind: 'transient' };
  return { kind: 'undeliverable', code: -1 };
}

/** A Cloud API call that failed for good, with what the failure means. */
export class CloudSendError extends Error {
  constructor(
    readonly failure: CloudFailure,
    message: string,
  ) {
    super(message);
    this.name = 'CloudSendError';
  }
}

export interface CloudRetryOptions {
  logger: Logger;
  /** Names the call in logs (never the recipient). */
  what: string;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** First wait after a network error or 5xx; doubles each time. */
  baseDelayMs?: number;
  /** First wait after a pair-rate error (Meta allows about one message every 6 s to a user). */
  pairRateDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The one retry policy for Cloud API calls: pair-rate and throughput limits wait and retry (the
 * pair-rate wait starts at 6 s and doubles); network errors, timeouts and 5xx retry with a
 * doubling backoff; everything else fails at once. Fails with a CloudSendError either way.
 */
export async function withCloudRetries<T>(
  call: () => Promise<T>,
  options: CloudRetryOptions,
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const waits = { pair: options.pairRateDelayMs ?? 6_000, other: options.baseDelayMs ?? 500 };
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const failure = classifyCloudError(error);
      const retryable =
        failure.kind === 'pair-rate' ||
        failure.kind === 'throughput' ||
        failure.kind === 'transient';
      if (!retryable || attempt >= maxAttempts) {
        throw new CloudSendError(failure, describeFailure(failure, error));
      }
      let delayMs: number;
      if (failure.kind === 'pair-rate') {
        delayMs = waits.pair;
        waits.pair = Math.min(waits.pair * 2, maxDelayMs);
      } else if (failure.kind === 'throughput' && failure.retryAfterMs !== undefined) {
        delayMs = Math.min(failure.retryAfterMs, maxDelayMs);
      } else {
        delayMs = waits.other;
        waits.other = Math.min(waits.other * 2, maxDelayMs);
      }
      options.logger.warn(
        { call: options.what, attempt, delayMs, reason: failure.kind, code: codeOf(failure) },
        'WhatsApp Cloud API call failed, retrying',
      );
      await sleep(delayMs);
    }
  }
}

function codeOf(failure: CloudFailure): number | undefined {
  return 'code' in failure ? failure.code : undefined;
}

/** A log-safe description: the kind and Meta's code, never the request (it holds the recipient). */
function describeFailure(failure: CloudFailure, error: unknown): string {
  const code = codeOf(failure);
  const name = error instanceof Error ? error.name : 'Error';
  return `WhatsApp Cloud API ${failure.kind}${code !== undefined ? ` (code ${code})` : ''}: ${name}`;
}
