/**
 * How a resource's OZmap property names map onto database columns. Each resource declares one
 * table; the filter, sort and select layers are driven by it, never by per-resource code.
 */
export type FieldType =
  | 'id'
  | 'string'
  | 'number'
  | 'boolean'
  | 'date'
  /** A many-to-many relation exposed as an id list (e.g. `tags`). */
  | 'idList'
  /** A point stored as two columns, exposed as `coords: [lng, lat]`. */
  | 'point'
  /** A GeoJSON polygon stored as JSON text (regions). */
  | 'polygon';

export interface FieldSpec {
  type: FieldType;
  /** Prisma field: the scalar column, or the relation name for `idList`. Defaults to the key. */
  column?: string;
  /** The column may hold NULL (affects `exists`, `= null` and `!=`). */
  nullable?: boolean;
  /** For `point`: the latitude and longitude columns. */
  lat?: string;
  lng?: string;
  /** A `number` held in a 32-bit integer column: filters take whole numbers in its range. */
  integer?: boolean;
  /** Scalars sort unless this is false. */
  sortable?: boolean;
}

export type FieldTable = Readonly<Record<string, FieldSpec>>;

export const SCALAR_TYPES: ReadonlySet<FieldType> = new Set([
  'id',
  'string',
  'number',
  'boolean',
  'date',
]);

/** The fields every resource shares. */
export const BASE_FIELDS: FieldTable = {
  id: { type: 'id' },
  _id: { type: 'id', column: 'id' },
  createdAt: { type: 'date' },
  updatedAt: { type: 'date' },
};

export function columnOf(property: string, spec: FieldSpec): string {
  return spec.column ?? property;
}
