/**
 * One run at a time of `work` in this process: a call while it runs makes it go round once more
 * (so nothing asked for meanwhile is missed) and shares its result. With `gapMs`, a round starts
 * no sooner than that after the previous one ended, so a burst of calls (a reservation per request
 * under load) is served by a few rounds that each take many changes at once.
 */
export class Coalesced<T> {
  private running: Promise<T> | undefined;
  private again = false;
  private lastEnd = -Infinity;

  constructor(
    private readonly work: () => Promise<T>,
    private readonly add: (a: T, b: T) => T,
    private readonly gapMs = 0,
  ) {}

  run(): Promise<T> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const loop = async () => {
      let total: T | undefined;
      do {
        const wait = this.lastEnd + this.gapMs - Date.now();
        if (wait > 0) await pause(wait);
        this.again = false;
        try {
          const value = await this.work();
          total = total === undefined ? value : this.add(total, value);
        } finally {
          this.lastEnd = Date.now();
        }
      } while (this.again);
      return total;
    };
    this.running = loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves when no run is in progress. */
  async settle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
