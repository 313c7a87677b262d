// The workspace lists' query string: search, filters, sort and paging, parsed once with clear
// errors naming the field.
import { ValidationError } from '../errors.js';
import { dbProvider, type Db } from '../ozmap-model/db/client.js';
import { dayStart } from './business-hours.js';

export interface ListQuery {
  q?: string;
  status?: string;
  /** Channel or integration (reservedBy / source), exact. */
  by?: string;
  tag?: string;
  from?: Date;
  /** Exclusive: the day after the `to` date. */
  until?: Date;
  sort: string;
  desc: boolean;
  page: number;
  pageSize: number;
}

const DAY = 86_400_000;

function single(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new ValidationError(`${name}: give it once`, name);
  return v.trim() || undefined;
}

export function parseListQuery(
  query: Record<string, unknown>,
  o: {
    statuses: readonly string[];
    sorts: readonly string[];
    defaultSort: string;
    timeZone: string;
  },
): ListQuery {
  const q = single(query, 'q');
  if (q && q.length > 100) throw new ValidationError('q: at most 100 characters', 'q');
  const status = single(query, 'status');
  if (status && !o.statuses.includes(status))
    throw new ValidationError(`status: one of ${o.statuses.join(', ')}`, 'status');
  const date = (name: string) => {
    const text = single(query, name);
    if (!text) return undefined;
    const d = dayStart(text, o.timeZone);
    if (!d) throw new ValidationError(`${name}: must be a date as YYYY-MM-DD`, name);
    return d;
  };
  const from = date('from');
  const to = date('to');
  if (from && to && to < from) throw new ValidationError('to: must not come before from', 'to');
  const rawSort = single(query, 'sort') ?? o.defaultSort;
  const desc = rawSort.startsWith('-');
  const sort = desc ? rawSort.slice(1) : rawSort;
  if (!o.sorts.includes(sort))
    throw new ValidationError(
      `sort: one of ${o.sorts.join(', ')} (prefix - for descending)`,
      'sort',
    );
  const int = (name: string, fallback: number, max: number) => {
    const text = single(query, name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new ValidationError(`${name}: a whole number from 1 to ${max}`, name);
    return n;
  };
  return {
    q,
    status,
    by: single(query, 'by'),
    tag: single(query, 'tag'),
    from,
    until: to ? new Date(to.getTime() + DAY) : undefined,
    sort,
    desc,
    page: int('page', 1, 100_000),
    pageSize: int('pageSize', 25, 200),
  };
}

/** Digits of a search text, when it looks like a phone or CPF (3+ digits). */
export function searchDigits(q: string): string | undefined {
  const digits = q.replace(/\D/g, '');
  return digits.length >= 3 && /^[\d\s().+\-/]+$/.test(q) ? digits : undefined;
}

/** A case-insensitive "contains" (SQLite's LIKE already ignores ASCII case; PostgreSQL is told). */
export function textContains(db: Db, value: string) {
  return dbProvider(db) === 'postgresql'
    ? { contains: value, mode: 'insensitive' as const }
    : { contains: value };
}
