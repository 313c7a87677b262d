import { describe, expect, it, vi } from 'vitest';
import { ChatQueue, maskChatId } from './chat-queue.js';

describe('ChatQueue', () => {
  it('runs tasks of one key in order, one at a time, and keeps going after a failure', async () => {
    const queue = new ChatQueue();
    const log: string[] = [];
    const slow = queue.run('a', async () => {
      await new Promise((r) => setTimeout(r, 30));
      log.push('a1');
    });
    const failing = queue.run('a', () => Promise.reject(new Error('boom')));
    const fast = queue.run('a', () => {
      log.push('a2');
      return Promise.resolve(2);
    });
    const other = queue.run('b', () => {
      log.push('b1');
      return Promise.resolve();
    });
    await Promise.all([slow, other, fast, failing.catch(() => undefined)]);
    await expect(failing).rejects.toThrow('boom');
    expect(await fast).toBe(2);
    expect(log).toEqual(['b1', 'a1', 'a2']);
  });

  it('spaces tasks of the same key by the gap plus jitter, and all tasks by the global gap', async () => {
    // Fake timers: the gaps are asserted on the queue's own clock, never the machine's.
    vi.useFakeTimers();
    try {
      const queue = new ChatQueue({
        perKeyGapMs: 60,
        jitterMs: 20,
        globalGapMs: 15,
        random: () => 0.5,
      });
      const starts: Array<[string, number]> = [];
      const task = (key: string) =>
        queue.run(key, () => Promise.resolve(void starts.push([key, Date.now()])));
      const t0 = Date.now();
      const all = Promise.all([task('a'), task('b'), task('a'), task('c')]);
      await vi.runAllTimersAsync();
      await all;
      const relative = starts.map(([k, t]) => [k, t - t0]);
      // a, b and c take consecutive global slots; the second "a" waits 60 + 10 ms after the first.
      expect(relative).toEqual([
        ['a', 0],
        ['b', 15],
        ['c', 30],
        ['a', 70],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('maskChatId', () => {
  it('keeps only the last four digits', () => {
    expect(maskChatId('5511987654321@s.whatsapp.net')).toBe('*********4321@s.whatsapp.net');
    expect(maskChatId('123456789')).toBe('*****6789');
    expect(maskChatId('12')).toBe('**');
  });
});
