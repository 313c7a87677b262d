import { ValidationError } from '../../../errors.js';

export const OPERATORS = [
  '=',
  '!=',
  'like',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'notin',
  'exists',
  'all',
  'near',
  'within',
  'point-intersect',
] as const;

export type Operator = (typeof OPERATORS)[number];

/** Spellings accepted for the same operator (the OZmap wiki uses `eq`). */
const ALIASES: Readonly<Record<string, Operator>> = { eq: '=', '==': '=', ne: '!=', nin: 'notin' };

export const GEO_OPERATORS: ReadonlySet<Operator> = new Set(['near', 'within', 'point-intersect']);

export interface Filter {
  property: string;
  operator: Operator;
  value: unknown;
}

/** Top-level items are AND-ed; an inner array is an OR group. */
export type FilterItem = Filter | Filter[];

/**
 * Parses the `filter` parameter: a JSON array (a string from the query string, or already parsed
 * from the body) of `{property, operator, value}` objects or arrays of them. A single object is
 * accepted as a one-item list.
 */
export function parseFilterParam(raw: unknown): FilterItem[] {
  if (raw === undefined || raw === null || raw === '') return [];
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ValidationError('filter: is not valid JSON', 'filter');
    }
  }
  if (parsed === null) return [];
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.map((item, i) => {
    if (Array.isArray(item)) {
      if (item.length === 0) throw new ValidationError(`filter[${i}]: OR group is empty`, 'filter');
      return item.map((inner, j) => parseFilter(inner, `filter[${i}][${j}]`));
    }
    return parseFilter(item, `filter[${i}]`);
  });
}

function parseFilter(raw: unknown, where: string): Filter {
  if (typeof raw !== 'object' || raw === null) {
    throw new ValidationError(`${where}: expected an object {property, operator, value}`, 'filter');
  }
  const { property, operator, value } = raw as Record<string, unknown>;
  if (typeof property !== 'string' || property.trim() === '') {
    throw new ValidationError(`${where}: property must be a non-empty string`, 'filter');
  }
  const op = normalizeOperator(operator, where);
  if (value === undefined && op !== 'exists') {
    throw new ValidationError(`${where}: value is missing for property "${property}"`, 'filter');
  }
  return { property: property.trim(), operator: op, value: value === undefined ? true : value };
}

function normalizeOperator(raw: unknown, where: string): Operator {
  if (raw === undefined) return '=';
  if (typeof raw === 'string') {
    const key = raw.trim().toLowerCase();
    if ((OPERATORS as readonly string[]).includes(key)) return key as Operator;
    const alias = ALIASES[key];
    if (alias) return alias;
  }
  throw new ValidationError(
    `${where}: unknown operator ${JSON.stringify(raw)}; use one of ${[...OPERATORS, 'eq'].join(', ')}`,
    'filter',
  );
}
