import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../logger.js';
import { classifyCloudError, classifyCode, CloudSendError, withCloudRetries } from './retry.js';

const logger = createLogger('silent');

/** An error shaped like the client library's GraphApiError. */
function graphError(httpStatus: number, code: number, retryAfterMs?: number): Error {
  return Object.assign(new Error(`(#${code}) failure`), {
    name: 'GraphApiError',
    httpStatus,
    code,
    retry:
      retryAfterMs === undefined ? { action: 'retry' } : { action: 'retry_after', retryAfterMs },
  });
}

describe('classifyCloudError', () => {
  it("maps Meta's codes to what the sender does", () => {
    expect(classifyCloudError(graphError(400, 131056))).toEqual({
      kind: 'pair-rate',
      code: 131056,
    });
    expect(classifyCloudError(graphError(400, 130429))).toEqual({
      kind: 'throughput',
      code: 130429,
    });
    expect(classifyCloudError(graphError(429, 80007, 2000))).toEqual({
      kind: 'throughput',
      code: 80007,
      retryAfterMs: 2000,
    });
    expect(classifyCloudError(graphError(400, 131047))).toEqual({
      kind: 'window-closed',
      code: 131047,
    });
    expect(classifyCloudError(graphError(401, 190))).toEqual({ kind: 'token', code: 190 });
    expect(classifyCloudError(graphError(403, 200))).toEqual({ kind: 'permission', code: 200 });
    expect(classifyCloudError(graphError(500, 131000))).toEqual({
      kind: 'transient',
      code: 131000,
    });
    expect(classifyCloudError(graphError(503, 2))).toEqual({ kind: 'transient', code: 2 });
    expect(classifyCloudError(graphError(400, 131009))).toEqual({ kind: 'rejected', code: 131009 });
    expect(classifyCloudError(graphError(400, 132001))).toEqual({ kind: 'template', code: 132001 });
    expect(classifyCloudError(graphError(400, 131026))).toEqual({
      kind: 'undeliverable',
      code: 131026,
    });
    expect(classifyCloudError(graphError(502, 502))).toEqual({ kind: 'transient', code: 502 });
  });

  it('treats timeouts and network failures as transient, local validation as rejected', () => {
    expect(classifyCloudError(new DOMException('timed out', 'TimeoutError'))).toEqual({
      kind: 'transient',
    });
    expect(
      classifyCloudError(
        Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      ),
    ).toEqual({ kind: 'transient' });
    expect(
      classifyCloudError(
        new Error('Button interactive message validation failed: buttons: Too big'),
      ),
    ).toEqual({ kind: 'rejected', code: 0 });
  });

  it('classifies codes from failed-status webhooks the same way', () => {
    expect(classifyCode(131047)).toEqual({ kind: 'window-closed', code: 131047 });
    expect(classifyCode(131049)).toEqual({ kind: 'undeliverable', code: 131049 });
  });
});

describe('withCloudRetries', () => {
  it('waits 6 s, then 12 s, after pair-rate errors, and succeeds', async () => {
    const sleep = vi.fn(() => Promise.resolve());
    const call = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(graphError(400, 131056))
      .mockRejectedValueOnce(graphError(400, 131056))
      .mockResolvedValue('wamid.1');
    await expect(withCloudRetries(call, { logger, what: 'send', sleep })).resolves.toBe('wamid.1');
    expect(sleep.mock.calls).toEqual([[6000], [12000]]);
  });

  it('honours Retry-After on throughput errors and doubles the backoff on 5xx', async () => {
    const sleep = vi.fn(() => Promise.resolve());
    const call = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(graphError(429, 130429, 3000))
      .mockRejectedValueOnce(graphError(500, 131000))
      .mockRejectedValueOnce(graphError(500, 131000))
      .mockResolvedValue('ok');
    await withCloudRetries(call, { logger, what: 'send', sleep, baseDelayMs: 100 });
    expect(sleep.mock.calls).toEqual([[3000], [100], [200]]);
  });

  it('fails at once, with the failure, on errors retrying cannot fix', async () => {
    const sleep = vi.fn(() => Promise.resolve());
    for (const [status, code, kind] of [
      [401, 190, 'token'],
      [400, 131047, 'window-closed'],
      [400, 131009, 'rejected'],
    ] as const) {
      const error = await withCloudRetries(() => Promise.reject(graphError(status, code)), {
        logger,
        what: 'send',
        sleep,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CloudSendError);
      expect((error as CloudSendError).failure.kind).toBe(kind);
    }
    expect(sleep).not.toHaveBeenCalled();
  });

  it('gives up after the last attempt and says why without the request', async () => {
    const sleep = vi.fn(() => Promise.resolve());
    const error = await withCloudRetries(() => Promise.reject(graphError(503, 2)), {
      logger,
      what: 'send',
      sleep,
      maxAttempts: 3,
    }).catch((e: unknown) => e);
    expect(sleep).toHaveBeenCalledTimes(2);
    expect((error as Error).message).toBe('WhatsApp Cloud API transient (code 2): GraphApiError');
  });
});
