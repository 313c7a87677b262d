import { ValidationError } from '../../../errors.js';
import { ID_PATTERN } from '../../../ids.js';
import type { FieldType } from './fields.js';

/** Longest text a filter compares with (no stored text is longer, see the body schemas). */
export const MAX_FILTER_TEXT = 1000;
const INT32_MAX = 2_147_483_647;
/** Dates both databases store: years 1 to 9999. */
const MIN_DATE = Date.UTC(1, 0, 1) - 1;
const MAX_DATE = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Converts one filter value to the column's type, or refuses it naming the property. `integer`
 * columns (32-bit on PostgreSQL) take whole numbers within their range only.
 */
export function coerceScalar(
  type: FieldType,
  raw: unknown,
  what: string,
  options: { integer?: boolean } = {},
): string | number | boolean | Date {
  const fail = (expected: string): never => {
    throw new ValidationError(
      `${what}: expected ${expected}, got ${JSON.stringify(raw)}`,
      'filter',
    );
  };
  switch (type) {
    case 'id':
    case 'idList':
      if (typeof raw !== 'string' || !ID_PATTERN.test(raw)) fail('a 24-character hex id');
      return raw as string;
    case 'string': {
      const text =
        typeof raw === 'string'
          ? raw
          : typeof raw === 'number' && Number.isFinite(raw)
            ? String(raw)
            : fail('a string');
      if (text.length > MAX_FILTER_TEXT) {
        throw new ValidationError(
          `${what}: text may be at most ${MAX_FILTER_TEXT} characters`,
          'filter',
        );
      }
      if (text.includes('\0')) {
        throw new ValidationError(`${what}: text must not contain NUL characters`, 'filter');
      }
      return text;
    }
    case 'number': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) fail('a number');
      if (options.integer && !(Number.isInteger(n) && Math.abs(n as number) <= INT32_MAX)) {
        fail(`a whole number between -${INT32_MAX} and ${INT32_MAX}`);
      }
      return n as number;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return fail('true or false');
    case 'date': {
      const d = typeof raw === 'string' || typeof raw === 'number' ? new Date(raw) : null;
      if (!d || Number.isNaN(d.getTime())) fail('an ISO date');
      if (d!.getTime() < MIN_DATE || d!.getTime() > MAX_DATE) fail('a date from year 1 to 9999');
      return d as Date;
    }
    case 'point':
    case 'polygon':
      return fail('a scalar');
  }
}

/**
 * The most values one `in`/`notin`/`all` list may hold, and all the lists of one filter together:
 * every value is a bound parameter, and SQLite refuses a statement with more than 999 of them.
 */
export const MAX_LIST_VALUES = 500;

/** `in`/`notin`/`all` take a list; a single value is accepted as a one-item list. */
export function coerceList(
  type: FieldType,
  raw: unknown,
  what: string,
  options: { integer?: boolean } = {},
): Array<string | number | boolean | Date> {
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length > MAX_LIST_VALUES) {
    throw new ValidationError(
      `${what}: a list may hold at most ${MAX_LIST_VALUES} values, got ${items.length}`,
      'filter',
    );
  }
  return items.map((item, i) => coerceScalar(type, item, `${what}[${i}]`, options));
}

export function coerceBoolean(raw: unknown, what: string): boolean {
  return coerceScalar('boolean', raw, what) as boolean;
}
