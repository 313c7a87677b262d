import { afterEach, describe, expect, it, vi } from 'vitest';
import { Coalesced } from '../../src/sales/coalesce.js';

describe('Coalesced', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at once when idle, and serves calls made meanwhile with one more round', async () => {
    let rounds = 0;
    let release!: () => void;
    const work = new Coalesced(
      () => {
        rounds++;
        return rounds === 1
          ? new Promise<number>((r) => (release = () => r(1)))
          : Promise.resolve(1);
      },
      (a, b) => a + b,
    );
    const first = work.run();
    expect(rounds).toBe(1);
    const second = work.run();
    const third = work.run();
    release();
    expect(await first).toBe(2);
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(rounds).toBe(2);
  });

  it('with a gap, a burst of calls shares rounds spaced by the gap', async () => {
    vi.useFakeTimers({ now: 0 });
    const starts: number[] = [];
    const work = new Coalesced(
      async () => {
        starts.push(Date.now());
        return 1;
      },
      (a, b) => a + b,
      100,
    );
    await work.run();
    expect(starts).toEqual([0]);
    // 20 calls within 50 ms of the first round: one more round, 100 ms after it.
    for (let i = 0; i < 20; i++) {
      void work.run();
      await vi.advanceTimersByTimeAsync(2);
    }
    await vi.advanceTimersByTimeAsync(200);
    await work.settle();
    expect(starts).toEqual([0, 100]);
    // Idle for longer than the gap: the next call runs at once.
    await vi.advanceTimersByTimeAsync(500);
    await work.run();
    expect(starts).toEqual([0, 100, 740]);
  });
});
