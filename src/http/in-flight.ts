import type { RequestHandler } from 'express';

/**
 * Counts requests whose handler has not answered yet, for a shutdown bounded in time: new
 * requests on kept-alive connections get 503 once closing, `drain` waits for the others until a
 * deadline, and `abort` marks the ones left so their late errors are not reported as failures.
 */
export class InFlight {
  private readonly running = new Set<{ aborted: boolean }>();
  private waiters: Array<() => void> = [];
  private closing = false;

  readonly middleware: RequestHandler = (_req, res, next) => {
    if (this.closing) {
      res.setHeader('Connection', 'close');
      res.status(503).json({ message: 'the service is shutting down: try again in a moment' });
      return;
    }
    const entry = { aborted: false };
    this.running.add(entry);
    res.locals.inFlight = entry;
    // A handler is done when it ends its response, even on a socket already gone.
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      this.done(entry);
      return end(...args);
    }) as typeof res.end;
    next();
  };

  get size(): number {
    return this.running.size;
  }

  /** Refuses new requests from now on. */
  close(): void {
    this.closing = true;
  }

  /** Resolves true when every running handler has answered, false at `deadline` (ms epoch). */
  drain(deadline: number): Promise<boolean> {
    if (this.running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.running.size === 0), deadline - Date.now());
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Marks what still runs as aborted by the shutdown; returns how many. */
  abort(): number {
    for (const entry of this.running) entry.aborted = true;
    return this.running.size;
  }

  private done(entry: { aborted: boolean }): void {
    if (!this.running.delete(entry) || this.running.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Whether a response's request was cut off by the shutdown (see {@link InFlight.abort}). */
export function abortedByShutdown(locals: Record<string, unknown>): boolean {
  return (locals.inFlight as { aborted?: boolean } | undefined)?.aborted === true;
}
