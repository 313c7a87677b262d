import type { Identified } from './snapshot.js';

export type MatchResult<T> = { row: T } | { row: null } | { problem: string };

/**
 * Finds the stored row a feature refers to: by external id (or, for rows exported without one,
 * their own id), else by name among rows whose external id does not say otherwise. A name that
 * fits several rows is a problem, not a guess.
 */
export class RowIndex<T extends Identified> {
  private readonly byExternalId = new Map<string, T>();
  private readonly byId = new Map<string, T>();
  private readonly byName = new Map<string, T[]>();
  private readonly claimed = new Map<string, string>();

  constructor(
    rows: T[],
    private readonly kind: string,
  ) {
    for (const row of rows) {
      if (row.externalId) this.byExternalId.set(row.externalId, row);
      this.byId.set(row.id, row);
      if (row.name) this.byName.set(row.name, [...(this.byName.get(row.name) ?? []), row]);
    }
  }

  find(externalId: string | null | undefined, name: string | null | undefined): MatchResult<T> {
    if (externalId) {
      const row = this.byExternalId.get(externalId) ?? this.byId.get(externalId);
      if (row && (row.externalId === externalId || row.externalId === null)) return { row };
    }
    if (name) {
      const rows = (this.byName.get(name) ?? []).filter(
        (r) => !externalId || !r.externalId || r.externalId === externalId,
      );
      if (rows.length > 1) {
        return {
          problem: `name ${JSON.stringify(name)} matches ${rows.length} ${this.kind}s in the database; add an external_id to say which`,
        };
      }
      if (rows[0]) return { row: rows[0] };
    }
    return { row: null };
  }

  /** Records that `path` updates `row`; a second feature aiming at the same row is a problem. */
  claim(row: T, path: string): string | undefined {
    const first = this.claimed.get(row.id);
    if (first) return `refers to the same ${this.kind} as ${first}`;
    this.claimed.set(row.id, path);
    return undefined;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }
}

export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
