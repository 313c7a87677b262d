import { ValidationError } from '../../../errors.js';
import { columnOf, SCALAR_TYPES, type FieldTable } from './fields.js';
import { parseFilterParam, type FilterItem } from './filter-syntax.js';

export const DEFAULT_LIMIT = 25;
/** The largest page served; `limit=-1` or `limit=0` ("everything") means this many. */
export const MAX_LIMIT = 1000;
/** The largest 0-based offset (`start`, or where `page` lands): far past any real collection. */
export const MAX_START = 10_000_000;

export interface SortKey {
  property: string;
  direction: 1 | -1;
}

export interface ListQuery {
  page: number;
  limit: number;
  /** 0-based offset: `(page - 1) * limit`, or the `start` parameter when given. */
  start: number;
  filter: FilterItem[];
  sort: SortKey[];
  select: string[] | null;
  populate: Set<string>;
  /** The raw parameters to repeat in `nextUrl`. */
  echo: { filter?: string; sort?: string; select?: string; populate?: string };
}

type Params = Record<string, unknown>;

function single(raw: unknown, name: string): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) return single(raw[raw.length - 1], name);
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return String(raw);
  throw new ValidationError(`${name}: must be a single value`, name);
}

function integer(raw: unknown, name: string): number | undefined {
  const text = single(raw, name);
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new ValidationError(`${name}: must be an integer, got "${text.slice(0, 40)}"`, name);
  }
  return n;
}

function wordList(raw: unknown, name: string): string[] {
  const values = Array.isArray(raw) ? raw : [raw];
  return values.flatMap((v) => {
    if (v === undefined) return [];
    if (typeof v !== 'string') throw new ValidationError(`${name}: must be a string`, name);
    return v.split(/[\s,]+/).filter(Boolean);
  });
}

/**
 * Reads `page`, `limit`, `start`, `filter`, `sort`, `select` and `populate`. Filter and sort come
 * from the query string (JSON) or the request body (what the SDK sends on GET); the query wins.
 */
export function parseListQuery(
  query: Params,
  body: unknown,
  fields: FieldTable,
  populatable: readonly string[] = [],
): ListQuery {
  const page = integer(query.page, 'page') ?? 1;
  if (page < 1) throw new ValidationError('page: must be 1 or more', 'page');
  let limit = integer(query.limit, 'limit') ?? DEFAULT_LIMIT;
  if (limit < -1) throw new ValidationError('limit: must be -1, 0 or a positive integer', 'limit');
  if (limit <= 0 || limit > MAX_LIMIT) limit = MAX_LIMIT;
  const startParam = integer(query.start, 'start');
  if (startParam !== undefined && (startParam < 0 || startParam > MAX_START)) {
    throw new ValidationError(`start: must be from 0 to ${MAX_START}`, 'start');
  }
  const start = startParam ?? (page - 1) * limit;
  if (start > MAX_START) {
    throw new ValidationError(
      `page: must be at most ${Math.floor(MAX_START / limit) + 1} with limit ${limit}`,
      'page',
    );
  }

  const bodyParams = (typeof body === 'object' && body !== null ? body : {}) as Params;
  const rawFilter = query.filter !== undefined ? single(query.filter, 'filter') : bodyParams.filter;
  const rawSort = query.sort !== undefined ? single(query.sort, 'sort') : bodyParams.sort;
  const select = query.select === undefined ? null : wordList(query.select, 'select');
  const populate = new Set(wordList(query.populate, 'populate'));
  for (const p of populate) {
    if (!populatable.includes(p)) {
      throw new ValidationError(
        `populate: "${p}" cannot be populated here; use ${populatable.join(', ') || 'nothing'}`,
        'populate',
      );
    }
  }
  const filter = parseFilterParam(rawFilter);
  const sort = parseSort(rawSort, fields);
  return {
    page: Math.floor(start / limit) + 1,
    limit,
    start,
    filter,
    sort,
    select,
    populate,
    echo: {
      filter: filter.length ? JSON.stringify(filter) : undefined,
      sort: sort.length ? JSON.stringify(sort) : undefined,
      select: select?.join(','),
      populate: populate.size ? [...populate].join(',') : undefined,
    },
  };
}

function parseSort(raw: unknown, fields: FieldTable): SortKey[] {
  if (raw === undefined || raw === null || raw === '') return [];
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      // `sort=name` or `sort=-name`, as plain words.
      parsed = raw
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((word) =>
          word.startsWith('-')
            ? { property: word.slice(1), direction: -1 }
            : { property: word, direction: 1 },
        );
    }
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.map((item, i) => {
    const { property, direction } = (item ?? {}) as Record<string, unknown>;
    if (typeof property !== 'string') {
      throw new ValidationError(`sort[${i}]: property must be a string`, 'sort');
    }
    const spec = Object.hasOwn(fields, property) ? fields[property] : undefined;
    if (!spec || !SCALAR_TYPES.has(spec.type) || spec.sortable === false) {
      const sortable = Object.entries(fields)
        .filter(([, s]) => SCALAR_TYPES.has(s.type) && s.sortable !== false)
        .map(([k]) => k);
      throw new ValidationError(
        `sort[${i}]: cannot sort by "${property}"; sortable: ${sortable.join(', ')}`,
        'sort',
      );
    }
    const dir = direction === undefined ? 1 : direction;
    if (dir === 1 || dir === '1' || dir === 'asc') return { property, direction: 1 as const };
    if (dir === -1 || dir === '-1' || dir === 'desc') return { property, direction: -1 as const };
    throw new ValidationError(`sort[${i}]: direction must be 1 or -1`, 'sort');
  });
}

/** Prisma `orderBy` for the sort keys, with `id` last so pages never overlap. */
export function orderByOf(
  sort: SortKey[],
  fields: FieldTable,
): Array<Record<string, 'asc' | 'desc'>> {
  const order = sort.map((s) => ({
    [columnOf(s.property, fields[s.property]!)]:
      s.direction === 1 ? ('asc' as const) : ('desc' as const),
  }));
  if (!sort.some((s) => columnOf(s.property, fields[s.property]!) === 'id'))
    order.push({ id: 'asc' });
  return order;
}
