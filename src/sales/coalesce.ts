/**
 * One run at a time of `work` in this process: a call while it runs makes it go round once more
 * (so nothing asked for meanwhile is missed) and shares its result.
 */
export class Coalesced<T> {
  private running: Promise<T> | undefined;
  private again = false;

  constructor(
    private readonly work: () => Promise<T>,
    private readonly add: (a: T, b: T) => T,
  ) {}

  run(): Promise<T> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const loop = async () => {
      let total: T | undefined;
      do {
        this.again = false;
        const value = await this.work();
        total = total === undefined ? value : this.add(total, value);
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
