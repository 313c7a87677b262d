/** One entry of a property's `history.clients`: who lived there and when. */
export interface ClientHistoryEntry {
  id: string;
  code: string;
  enter_date: string;
  exit_date: string | null;
}

/**
 * The history after the property's client changes from `leaving` to `entering` (either may be
 * absent) at `when`. Pure: returns a new list.
 */
export function clientHistoryAfter(
  history: readonly ClientHistoryEntry[],
  change: { leaving?: string | null; entering?: { id: string; code: string } | null; when: Date },
): ClientHistoryEntry[] {
  const at = change.when.toISOString();
  const next = history.map((entry) =>
    entry.id === change.leaving && entry.exit_date === null ? { ...entry, exit_date: at } : entry,
  );
  if (change.entering) {
    next.push({
      id: change.entering.id,
      code: change.entering.code,
      enter_date: at,
      exit_date: null,
    });
  }
  return next;
}
