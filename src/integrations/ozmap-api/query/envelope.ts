import type { ListQuery } from './list-query.js';

/** The OZmap list envelope. `nextUrl` is relative and carries everything needed for the next page. */
export interface Envelope<T> {
  total: number;
  count: number;
  start: number;
  limit: number;
  rows: T[];
  hasNextPage: boolean;
  nextUrl: string | null;
}

/**
 * `nextUrl` repeats the query with the next `page` and also `start`: the SDK's findAll re-sends
 * `page`/`limit` from its own arguments (overwriting ours), so `start` is what moves it forward.
 */
export function envelope<T>(
  basePath: string,
  query: ListQuery,
  total: number,
  rows: T[],
): Envelope<T> {
  const hasNextPage = query.start + rows.length < total;
  let nextUrl: string | null = null;
  if (hasNextPage) {
    const params = new URLSearchParams({
      page: String(query.page + 1),
      limit: String(query.limit),
      start: String(query.start + rows.length),
    });
    for (const [key, value] of Object.entries(query.echo)) if (value) params.set(key, value);
    nextUrl = `${basePath}?${params.toString()}`;
  }
  return {
    total,
    count: rows.length,
    start: query.start,
    limit: query.limit,
    rows,
    hasNextPage,
    nextUrl,
  };
}

/** Keeps only the selected top-level fields; `id`, `_id` and `kind` always stay. */
export function applySelect(
  doc: Record<string, unknown>,
  select: string[] | null,
): Record<string, unknown> {
  if (!select || select.length === 0) return doc;
  const keep = new Set(['id', '_id', 'kind', ...select.map((s) => s.split('.')[0]!)]);
  return Object.fromEntries(Object.entries(doc).filter(([k]) => keep.has(k)));
}
