/** Pacing between tasks: per key, globally, and a random extra so sends do not look robotic. */
export interface ChatQueueOptions {
  /** Minimum time between the start of two tasks of the same key. */
  perKeyGapMs?: number;
  /** Up to this much is added at random to every per-key wait. */
  jitterMs?: number;
  /** Minimum time between the start of any two tasks, whatever their key. */
  globalGapMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface Lane {
  tail: Promise<void>;
  pending: number;
  lastStartedAt: number;
}

const SWEEP_THRESHOLD = 256;

/**
 * Runs tasks one at a time per key (a chat), in the order they were queued, optionally paced.
 * A failing task rejects its own promise and does not block the tasks after it.
 */
export class ChatQueue {
  private readonly lanes = new Map<string, Lane>();
  private globalNextAt = 0;
  private readonly perKeyGapMs: number;
  private readonly jitterMs: number;
  private readonly globalGapMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: ChatQueueOptions = {}) {
    this.perKeyGapMs = options.perKeyGapMs ?? 0;
    this.jitterMs = options.jitterMs ?? 0;
    this.globalGapMs = options.globalGapMs ?? 0;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** Queues `task` behind the earlier tasks of `key`; resolves or rejects with its outcome. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.lanes.size > SWEEP_THRESHOLD) this.sweep();
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), pending: 0, lastStartedAt: -Infinity };
      this.lanes.set(key, lane);
    }
    const current = lane;
    current.pending++;
    const result = current.tail.then(async () => {
      await this.waitForTurn(current);
      return task();
    });
    current.tail = result.then(
      () => this.settle(current),
      () => this.settle(current),
    );
    return result;
  }

  /** Keys with queued or running tasks (for tests and status). */
  get busyKeys(): number {
    let busy = 0;
    for (const lane of this.lanes.values()) if (lane.pending > 0) busy++;
    return busy;
  }

  private async waitForTurn(lane: Lane): Promise<void> {
    if (this.perKeyGapMs > 0 || this.jitterMs > 0) {
      const jitter = this.jitterMs > 0 ? Math.floor(this.random() * this.jitterMs) : 0;
      const wait = lane.lastStartedAt + this.perKeyGapMs + jitter - this.now();
      if (wait > 0 && Number.isFinite(wait)) await this.sleep(wait);
    }
    if (this.globalGapMs > 0) {
      // Reserve the next global slot synchronously, so concurrent lanes get distinct slots.
      const slot = Math.max(this.now(), this.globalNextAt);
      this.globalNextAt = slot + this.globalGapMs;
      const wait = slot - this.now();
      if (wait > 0) await this.sleep(wait);
    }
    lane.lastStartedAt = this.now();
  }

  private settle(lane: Lane): void {
    lane.pending--;
  }

  /** Forgets idle keys whose gap has passed, so the map does not grow with every chat ever seen. */
  private sweep(): void {
    const now = this.now();
    for (const [key, lane] of this.lanes) {
      if (lane.pending === 0 && lane.lastStartedAt + this.perKeyGapMs + this.jitterMs <= now) {
        this.lanes.delete(key);
      }
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A chat id or JID safe for logs: only the last 4 digits stay readable. */
export function maskChatId(chatId: string): string {
  const at = chatId.indexOf('@');
  const user = at === -1 ? chatId : chatId.slice(0, at);
  const domain = at === -1 ? '' : chatId.slice(at);
  const visible = user.length > 4 ? user.slice(-4) : '';
  return `${'*'.repeat(Math.max(user.length - visible.length, 1))}${visible}${domain}`;
}

/** Masks every run of 8 or more digits (phone numbers, JID users, LIDs) but its last 4. */
export function maskNumbers(text: string): string {
  return text.replace(/\d{8,}/g, (digits) => `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`);
}
