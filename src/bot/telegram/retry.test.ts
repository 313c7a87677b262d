import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../../test/bot/capture-logger.js';
import { classifyTelegramError, withTelegramRetries } from './retry.js';

/** Shaped like telegraf's TelegramError. */
function apiError(error_code: number, retry_after?: number) {
  return Object.assign(new Error(`${error_code}: x`), {
    response: {
      ok: false,
      error_code,
      description: 'x',
      parameters: retry_after ? { retry_after } : undefined,
    },
  });
}
const fetchError = Object.assign(new Error('request failed'), {
  name: 'FetchError',
  code: 'ECONNRESET',
});

describe('classifyTelegramError', () => {
  it('tells rate limits, transient, fatal and permanent failures apart', () => {
    expect(classifyTelegramError(apiError(429, 7))).toEqual({
      kind: 'rate-limited',
      retryAfterMs: 7000,
    });
    expect(classifyTelegramError(apiError(502))).toEqual({ kind: 'transient' });
    expect(classifyTelegramError(fetchError)).toEqual({ kind: 'transient' });
    expect(classifyTelegramError(apiError(401))).toMatchObject({ kind: 'fatal', code: 401 });
    expect(classifyTelegramError(apiError(409))).toMatchObject({ kind: 'fatal', code: 409 });
    expect(classifyTelegramError(apiError(400))).toEqual({ kind: 'permanent' });
    expect(classifyTelegramError(new TypeError('bug'))).toEqual({ kind: 'permanent' });
  });
});

describe('withTelegramRetries', () => {
  function harness(failures: Error[]) {
    const waits: number[] = [];
    let calls = 0;
    const call = () => {
      calls++;
      const failure = failures.shift();
      return failure ? Promise.reject(failure) : Promise.resolve('ok');
    };
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    return { call, sleep, waits, calls: () => calls };
  }

  it('waits retry_after on 429 and doubles a capped backoff on transient errors', async () => {
    const h = harness([apiError(429, 3), fetchError, apiError(500), apiError(503), fetchError]);
    const { logger } = captureLogger();
    const result = await withTelegramRetries(h.call, {
      logger,
      what: 'sendMessage',
      sleep: h.sleep,
      baseDelayMs: 100,
      maxDelayMs: 300,
    });
    expect(result).toBe('ok');
    expect(h.waits).toEqual([3000, 100, 200, 300, 300]);
  });

  it('rethrows other errors at once, and fatal ones with a logged hint', async () => {
    const logs = captureLogger();
    const bad = harness([apiError(400)]);
    await expect(
      withTelegramRetries(bad.call, { logger: logs.logger, what: 'x', sleep: bad.sleep }),
    ).rejects.toThrow('400');
    expect(bad.calls()).toBe(1);
    const fatal = harness([apiError(409)]);
    await expect(
      withTelegramRetries(fatal.call, { logger: logs.logger, what: 'x', sleep: fatal.sleep }),
    ).rejects.toThrow('409');
    expect(fatal.waits).toEqual([]);
    expect(logs.text()).toContain('one instance per bot');
  });

  it('gives up after maxAttempts', async () => {
    const h = harness([apiError(500), apiError(500), apiError(500)]);
    const { logger } = captureLogger();
    await expect(
      withTelegramRetries(h.call, { logger, what: 'x', sleep: h.sleep, maxAttempts: 2 }),
    ).rejects.toThrow('500');
    expect(h.calls()).toBe(2);
  });
});
