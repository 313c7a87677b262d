import { ValidationError } from '../../../errors.js';
import { boundingBoxes, haversineMeters } from '../../../viability/geodesy.js';
import { regionContains, type CompiledRegion } from '../../../viability/regions.js';
import { columnOf, SCALAR_TYPES, type FieldSpec, type FieldTable } from './fields.js';
import { GEO_OPERATORS, type Filter, type FilterItem } from './filter-syntax.js';
import { compilePolygon, parseNearValue, parsePointValue, type LatLng } from './geo-values.js';
import { coerceBoolean, coerceList, coerceScalar, MAX_LIST_VALUES } from './scalar-values.js';

/** The most conditions one filter may hold (OR groups count each of their members). */
export const MAX_FILTER_CONDITIONS = 50;

export type Where = Record<string, unknown>;
export type Row = Record<string, unknown>;
export type RowPredicate = (row: Row) => boolean;

export interface TranslateContext {
  resource: string;
  fields: FieldTable;
  /** PostgreSQL needs `mode: 'insensitive'`; SQLite's LIKE already ignores ASCII case. */
  insensitiveMode: boolean;
  /** The polygon of a region or project, for `within: {id, model}`; null when unknown. */
  loadPolygon(model: 'region' | 'project' | 'horizontalCondominium', id: string): Promise<unknown>;
}

export interface NearOrigin extends LatLng {
  latColumn: string;
  lngColumn: string;
}

/** The database part of a filter plus the exact geometric checks it cannot express. */
export interface TranslatedFilter {
  where: Where;
  post: RowPredicate[];
  /** The first `near` filter: results are ordered by distance from it unless sorted. */
  near?: NearOrigin;
}

/** A condition no row satisfies (Prisma has no literal FALSE). */
const NOTHING: Where = { id: { in: [] } };

/** Refuses a filter whose size alone would make a statement too large or too slow. */
function checkFilterSize(items: FilterItem[]): void {
  const conditions = items.flat();
  if (conditions.length > MAX_FILTER_CONDITIONS) {
    throw new ValidationError(
      `filter: at most ${MAX_FILTER_CONDITIONS} conditions are allowed, got ${conditions.length}`,
      'filter',
    );
  }
  const values = conditions.reduce(
    (sum, f) => sum + (Array.isArray(f.value) ? f.value.length : 1),
    0,
  );
  if (values > MAX_LIST_VALUES) {
    throw new ValidationError(
      `filter: the lists of one filter may hold at most ${MAX_LIST_VALUES} values in all, got ${values}`,
      'filter',
    );
  }
}

export async function translateFilters(
  items: FilterItem[],
  ctx: TranslateContext,
): Promise<TranslatedFilter> {
  checkFilterSize(items);
  const and: Where[] = [];
  const post: RowPredicate[] = [];
  let near: NearOrigin | undefined;
  for (const [i, item] of items.entries()) {
    if (Array.isArray(item)) {
      const geo = item.find((f) => GEO_OPERATORS.has(f.operator));
      if (geo) {
        throw new ValidationError(
          `filter[${i}]: "${geo.operator}" cannot be used inside an OR group`,
          'filter',
        );
      }
      const parts = await Promise.all(item.map((f) => translateOne(f, ctx)));
      // A part checked partly in memory (`all`, a `like` with % or _) cannot be OR-ed in SQL.
      if (parts.some((p) => p.post.length > 0)) {
        const op = item[parts.findIndex((p) => p.post.length > 0)]!.operator;
        throw new ValidationError(
          `filter[${i}]: "${op}" with these values cannot be used inside an OR group`,
          'filter',
        );
      }
      and.push({ OR: parts.map((p) => p.where) });
      continue;
    }
    const part = await translateOne(item, ctx);
    and.push(part.where);
    post.push(...part.post);
    near ??= part.near;
  }
  return { where: and.length ? { AND: and } : {}, post, near };
}

function fieldOf(filter: Filter, ctx: TranslateContext): FieldSpec {
  const spec = Object.hasOwn(ctx.fields, filter.property) ? ctx.fields[filter.property] : undefined;
  if (!spec) {
    throw new ValidationError(
      `filter: unknown property "${filter.property}" for ${ctx.resource}; filterable: ${Object.keys(ctx.fields).join(', ')}`,
      'filter',
    );
  }
  return spec;
}

function unsupported(filter: Filter, spec: FieldSpec): ValidationError {
  return new ValidationError(
    `filter: operator "${filter.operator}" is not supported on "${filter.property}" (${spec.type})`,
    'filter',
  );
}

async function translateOne(filter: Filter, ctx: TranslateContext): Promise<TranslatedFilter> {
  const spec = fieldOf(filter, ctx);
  if (filter.operator === 'like' && spec.type === 'string') return likeFilter(filter, spec, ctx);
  if (SCALAR_TYPES.has(spec.type)) return { where: scalarWhere(filter, spec), post: [] };
  if (spec.type === 'idList') return idListFilter(filter, spec);
  if (spec.type === 'point') return pointFilter(filter, spec, ctx);
  return polygonFilter(filter, spec);
}

/**
 * `like` is a case-insensitive substring test whose `%` and `_` are plain characters. PostgreSQL
 * takes them escaped with a backslash; SQLite's LIKE has no escape character, so there the SQL
 * matches each literal piece between them and the exact test runs on the rows.
 */
function likeFilter(filter: Filter, spec: FieldSpec, ctx: TranslateContext): TranslatedFilter {
  const col = columnOf(filter.property, spec);
  const what = `filter "${filter.property}" like`;
  const text = coerceScalar('string', filter.value, what) as string;
  if (ctx.insensitiveMode) {
    const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
    return { where: { [col]: { contains: escaped, mode: 'insensitive' } }, post: [] };
  }
  if (!/[%_]/.test(text)) return { where: { [col]: { contains: text } }, post: [] };
  const pieces = text.split(/[%_]+/).filter(Boolean);
  const needle = text.toLowerCase();
  const contains: RowPredicate = (row) => {
    const value = row[col];
    return typeof value === 'string' && value.toLowerCase().includes(needle);
  };
  return {
    where: { AND: pieces.map((p) => ({ [col]: { contains: p } })) },
    post: [contains],
  };
}

function scalarWhere(filter: Filter, spec: FieldSpec): Where {
  const col = columnOf(filter.property, spec);
  const what = `filter "${filter.property}" ${filter.operator}`;
  const { operator, value } = filter;
  const integer = { integer: spec.integer === true };
  switch (operator) {
    case '=':
      if (value === null) return spec.nullable ? { [col]: null } : NOTHING;
      return { [col]: coerceScalar(spec.type, value, what, integer) };
    case '!=': {
      if (value === null) return spec.nullable ? { [col]: { not: null } } : {};
      const v = coerceScalar(spec.type, value, what, integer);
      return spec.nullable
        ? { OR: [{ [col]: { not: v } }, { [col]: null }] }
        : { [col]: { not: v } };
    }
    case 'like':
      throw unsupported(filter, spec);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (spec.type === 'boolean') throw unsupported(filter, spec);
      const key = { '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' }[operator];
      return { [col]: { [key]: coerceScalar(spec.type, value, what, integer) } };
    }
    case 'in':
      return { [col]: { in: coerceList(spec.type, value, what, integer) } };
    case 'notin': {
      const list = coerceList(spec.type, value, what, integer);
      return spec.nullable
        ? { OR: [{ [col]: { notIn: list } }, { [col]: null }] }
        : { [col]: { notIn: list } };
    }
    case 'exists': {
      const exists = coerceBoolean(value, what);
      if (!spec.nullable) return exists ? {} : NOTHING;
      return exists ? { [col]: { not: null } } : { [col]: null };
    }
    case 'all':
    case 'near':
    case 'within':
    case 'point-intersect':
      throw unsupported(filter, spec);
  }
}

function idListFilter(filter: Filter, spec: FieldSpec): TranslatedFilter {
  const rel = columnOf(filter.property, spec);
  const what = `filter "${filter.property}" ${filter.operator}`;
  const sql = (where: Where): TranslatedFilter => ({ where, post: [] });
  switch (filter.operator) {
    case '=':
      return sql({ [rel]: { some: { id: coerceScalar('id', filter.value, what) } } });
    case '!=':
      return sql({ [rel]: { none: { id: coerceScalar('id', filter.value, what) } } });
    case 'in':
      return sql({ [rel]: { some: { id: { in: coerceList('id', filter.value, what) } } } });
    case 'notin':
      return sql({ [rel]: { none: { id: { in: coerceList('id', filter.value, what) } } } });
    case 'all': {
      // One sub-query per id made PostgreSQL's planner blow up (minutes, gigabytes, at 200 ids).
      // One IN sub-query finds the rows holding any of them; the rows' own id lists (always
      // loaded with them) then keep those holding every one. Both grow linearly with the list.
      const ids = [...new Set(coerceList('id', filter.value, what) as string[])];
      if (ids.length === 0) return sql({});
      const holdsAll: RowPredicate = (row) => {
        const held = new Set((row[rel] as Array<{ id: string }>).map((r) => r.id));
        return ids.every((id) => held.has(id));
      };
      return { where: { [rel]: { some: { id: { in: ids } } } }, post: [holdsAll] };
    }
    case 'exists':
      return sql(
        coerceBoolean(filter.value, what) ? { [rel]: { some: {} } } : { [rel]: { none: {} } },
      );
    case 'like':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case 'near':
    case 'within':
    case 'point-intersect':
      throw unsupported(filter, spec);
  }
}

function boxWhere(
  latCol: string,
  lngCol: string,
  boxes: ReadonlyArray<readonly [number, number, number, number]>,
): Where {
  return {
    OR: boxes.map(([w, s, e, n]) => ({
      [latCol]: { gte: s, lte: n },
      [lngCol]: { gte: w, lte: e },
    })),
  };
}

async function pointFilter(
  filter: Filter,
  spec: FieldSpec,
  ctx: TranslateContext,
): Promise<TranslatedFilter> {
  const latCol = spec.lat ?? 'lat';
  const lngCol = spec.lng ?? 'lng';
  const what = `filter "${filter.property}" ${filter.operator}`;
  const hasPoint: Where = { [latCol]: { not: null }, [lngCol]: { not: null } };
  switch (filter.operator) {
    case 'near': {
      const { lat, lng, radius } = parseNearValue(filter.value, what);
      const near: NearOrigin = { lat, lng, latColumn: latCol, lngColumn: lngCol };
      if (radius === undefined) return { where: hasPoint, post: [], near };
      const inRadius: RowPredicate = (row) =>
        haversineMeters(lat, lng, row[latCol] as number, row[lngCol] as number) <= radius;
      return {
        where: boxWhere(latCol, lngCol, boundingBoxes(lat, lng, radius)),
        post: [inRadius],
        near,
      };
    }
    case 'within': {
      const region = await withinPolygon(filter.value, what, ctx);
      const [w, s, e, n] = region.bbox;
      const inside: RowPredicate = (row) =>
        regionContains(region, row[latCol] as number, row[lngCol] as number);
      return { where: boxWhere(latCol, lngCol, [[w, s, e, n]]), post: [inside] };
    }
    case 'exists':
      return { where: coerceBoolean(filter.value, what) ? hasPoint : { [latCol]: null }, post: [] };
    case '=':
    case '!=':
    case 'like':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case 'in':
    case 'notin':
    case 'all':
    case 'point-intersect':
      throw unsupported(filter, spec);
  }
}

async function withinPolygon(
  raw: unknown,
  what: string,
  ctx: TranslateContext,
): Promise<CompiledRegion> {
  const ref = raw as { id?: unknown; model?: unknown } | null;
  if (ref && typeof ref === 'object' && 'model' in ref) {
    if (
      ref.model !== 'region' &&
      ref.model !== 'project' &&
      ref.model !== 'horizontalCondominium'
    ) {
      throw new ValidationError(
        `${what}: model must be "region", "project" or "horizontalCondominium"`,
        'filter',
      );
    }
    const id = coerceScalar('id', ref.id, `${what}: id`) as string;
    const polygon = await ctx.loadPolygon(ref.model, id);
    if (polygon === null || polygon === undefined) {
      throw new ValidationError(`${what}: ${ref.model} ${id} not found or has no area`, 'filter');
    }
    return compilePolygon(polygon, what);
  }
  return compilePolygon(raw, what);
}

function polygonFilter(filter: Filter, spec: FieldSpec): TranslatedFilter {
  if (filter.operator !== 'point-intersect') throw unsupported(filter, spec);
  const what = `filter "${filter.property}" ${filter.operator}`;
  const { lat, lng } = parsePointValue(filter.value, what);
  const col = columnOf(filter.property, spec);
  const contains: RowPredicate = (row) =>
    regionContains(compilePolygon(JSON.parse(row[col] as string), 'stored polygon'), lat, lng);
  return { where: {}, post: [contains] };
}

/** Distance in metres from a `near` origin to a row (rows without a point sort last). */
export function distanceFrom(origin: NearOrigin, row: Row): number {
  const lat = row[origin.latColumn];
  const lng = row[origin.lngColumn];
  if (typeof lat !== 'number' || typeof lng !== 'number') return Number.POSITIVE_INFINITY;
  return haversineMeters(origin.lat, origin.lng, lat, lng);
}
