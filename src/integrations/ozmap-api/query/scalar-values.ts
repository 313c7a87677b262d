import { ValidationError } from '../../../errors.js';
import { ID_PATTERN } from '../../../ids.js';
import type { FieldType } from './fields.js';

/** Converts one filter value to the column's type, or refuses it naming the property. */
export function coerceScalar(
  type: FieldType,
  raw: unknown,
  what: string,
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
    case 'string':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
      return fail('a string');
    case 'number': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) fail('a number');
      return n as number;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return fail('true or false');
    case 'date': {
      const d = typeof raw === 'string' || typeof raw === 'number' ? new Date(raw) : null;
      if (!d || Number.isNaN(d.getTime())) fail('an ISO date');
      return d as Date;
    }
    case 'point':
    case 'polygon':
      return fail('a scalar');
  }
}

/** `in`/`notin`/`all` take a list; a single value is accepted as a one-item list. */
export function coerceList(
  type: FieldType,
  raw: unknown,
  what: string,
): Array<string | number | boolean | Date> {
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((item, i) => coerceScalar(type, item, `${what}[${i}]`));
}

export function coerceBoolean(raw: unknown, what: string): boolean {
  return coerceScalar('boolean', raw, what) as boolean;
}
