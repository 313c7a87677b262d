/**
 * How a long job (import, export, seeding) reports how far it got. The CLI draws it on stderr;
 * library callers may pass nothing.
 */
export interface Progress {
  /** A new phase, e.g. "reading", "writing", with its total when known and what it counts. */
  phase(name: string, total?: number, unit?: string): void;
  /** `count` more items of the current phase are done. */
  advance(count?: number): void;
  /** The job finished (or failed); the last state is printed. */
  end(): void;
}

export const noProgress: Progress = {
  phase: () => undefined,
  advance: () => undefined,
  end: () => undefined,
};
