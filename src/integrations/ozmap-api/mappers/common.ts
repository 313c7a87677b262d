/** A JSON document as the API returns it. */
export type Doc = Record<string, unknown>;

interface BaseRow {
  id: string;
  externalId?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields every OZmap document carries; `external_id` only when set (the SDK types it optional). */
export function baseDoc(kind: string, row: BaseRow): Doc {
  return {
    id: row.id,
    _id: row.id,
    kind,
    ...(row.externalId ? { external_id: row.externalId } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `coords: [lng, lat]` plus the virtual `lat`/`lng`; nulls when the row has no position. */
export function pointFields(row: { lat: number | null; lng: number | null }): Doc {
  if (row.lat === null || row.lng === null) return { coords: null, lat: null, lng: null };
  return { coords: [row.lng, row.lat], lat: row.lat, lng: row.lng };
}

export function ids(rows: ReadonlyArray<{ id: string }>): string[] {
  return rows.map((r) => r.id);
}

/** Optional text: omitted rather than null, as the SDK's schemas type these fields. */
export function optional<T>(value: T | null): T | undefined {
  return value ?? undefined;
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
