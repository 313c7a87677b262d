import type { Progress } from '../ozmap-model/progress.js';

export interface ProgressOptions {
  /** What is being counted, e.g. "features", "boxes". */
  unit: string;
  /** The stream to draw on (stderr). */
  out: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  now?: () => number;
  /** Without a terminal: one line every this many ms. */
  lineEveryMs?: number;
}

/**
 * A progress bar with counts and rate on a terminal (redrawn at most 10 times a second), or a
 * plain line every few seconds when the output is a file or a pipe (CI logs, `2> log`).
 */
export function progressBar(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const tty = options.out.isTTY === true;
  const every = tty ? 100 : (options.lineEveryMs ?? 5000);
  let phase = '';
  let unit = options.unit;
  let total: number | undefined;
  let done = 0;
  let started = now();
  let drawn = -Infinity;
  let dirty = false;

  const render = (): string => {
    const seconds = Math.max((now() - started) / 1000, 1e-3);
    const rate = Math.round(done / seconds);
    const count = total === undefined ? fmt(done) : `${fmt(done)}/${fmt(total)}`;
    const pct = total ? Math.min(100, Math.floor((100 * done) / total)) : undefined;
    const eta =
      total && rate > 0 && done < total ? `, ${Math.ceil((total - done) / rate)} s left` : '';
    const text = `${phase}: ${count} ${unit}${pct === undefined ? '' : ` (${pct}%)`}, ${fmt(rate)}/s${eta}`;
    if (!tty || pct === undefined) return text;
    const width = 20;
    const filled = Math.round((pct / 100) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
  };
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - drawn < every) {
      dirty = true;
      return;
    }
    drawn = t;
    dirty = false;
    options.out.write(tty ? `\r\x1b[K${render()}` : `${render()}\n`);
  };
  const finishPhase = () => {
    if (!phase) return;
    if (dirty || !tty) draw(true);
    if (tty) options.out.write('\n');
  };
  return {
    phase(name, phaseTotal, phaseUnit) {
      finishPhase();
      phase = name;
      unit = phaseUnit ?? options.unit;
      total = phaseTotal;
      done = 0;
      started = now();
      drawn = -Infinity;
      draw(true);
    },
    advance(count = 1) {
      done += count;
      draw(false);
    },
    end() {
      finishPhase();
      phase = '';
    },
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US').replaceAll(',', ' ');
}
