import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress.js';

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { written, out: { isTTY, write: (text: string) => written.push(text) } };
}

describe('progress bar', () => {
  it('without a terminal: a line at the start, one every 5 s with count and rate, one at the end', () => {
    let now = 0;
    const { written, out } = sink(false);
    const bar = progressBar({ unit: 'boxes', out, now: () => now });
    bar.phase('seeding demo network', 1000);
    for (let i = 0; i < 10; i++) {
      now += 1000;
      bar.advance(50);
    }
    bar.end();
    expect(written).toEqual([
      'seeding demo network: 0/1 000 boxes (0%), 0/s\n',
      'seeding demo network: 250/1 000 boxes (25%), 50/s, 15 s left\n',
      'seeding demo network: 500/1 000 boxes (50%), 50/s, 10 s left\n',
      'seeding demo network: 500/1 000 boxes (50%), 50/s, 10 s left\n',
    ]);
  });

  it('on a terminal: redraws one line (at most 10 times a second) with a bar, then a newline', () => {
    let now = 0;
    const { written, out } = sink(true);
    const bar = progressBar({ unit: 'features', out, now: () => now });
    bar.phase('reading', 40, 'MB');
    now += 50;
    bar.advance(10); // within 100 ms of the last draw: not drawn yet
    now += 60;
    bar.advance(10);
    bar.end();
    expect(written[0]).toBe('\r\x1b[K[....................] reading: 0/40 MB (0%), 0/s');
    expect(written).toHaveLength(3);
    expect(written[1]).toBe(
      '\r\x1b[K[##########..........] reading: 20/40 MB (50%), 182/s, 1 s left',
    );
    expect(written[2]).toBe('\n');
  });
});
