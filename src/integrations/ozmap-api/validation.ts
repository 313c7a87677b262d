import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { ID_PATTERN } from '../../ids.js';
import { isUniqueViolation, uniqueViolationFields } from '../../ozmap-model/db/client.js';

/** Parses a request body; the first problem becomes a 400 naming its field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.filter((p) => typeof p === 'string').join('.') || 'body';
  const where = issue.path.length ? issue.path.join('.') : 'body';
  throw new ValidationError(`${where}: ${issue.message}`, field);
}

/** Longest short text (names, codes, ids from other systems, colours): all fit an index. */
export const MAX_TEXT = 200;
/** Longest free text (observations, addresses, descriptions). */
export const MAX_LONG_TEXT = 5000;
/** Most items in one list of a body (tags, ports, attenuations...). */
export const MAX_LIST_ITEMS = 500;
const INT32_MAX = 2_147_483_647;

export const idRef = z.string().regex(ID_PATTERN, 'must be a 24-character hex id');
export const idList = z.array(idRef).max(MAX_LIST_ITEMS, `must hold at most ${MAX_LIST_ITEMS} ids`);

// PostgreSQL cannot store a NUL character in text; nobody means to send one.
const NO_NUL = /^[^\0]*$/;
const boundedText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .regex(NO_NUL, 'must not contain NUL characters');
/** Short text: at most MAX_TEXT characters, trimmed, no NUL. */
export const text = boundedText(MAX_TEXT);
/** Free text: at most MAX_LONG_TEXT characters, trimmed, no NUL. */
export const longText = boundedText(MAX_LONG_TEXT);
export const nullableText = text.nullable();

/** A whole number that fits a 32-bit integer column (PostgreSQL `integer`). */
export const int32 = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(-INT32_MAX - 1, `must be at least ${-INT32_MAX - 1}`)
  .max(INT32_MAX, `must be at most ${INT32_MAX}`);
/** A finite number that is not absurd for a measure (dBm, metres, attenuation...). */
export const measure = z
  .number({ error: 'must be a number' })
  .min(-1e9, 'must be at least -1000000000')
  .max(1e9, 'must be at most 1000000000');

const longitude = z
  .number({ error: 'must be a number' })
  .min(-180, 'longitude must be between -180 and 180')
  .max(180, 'longitude must be between -180 and 180');
const latitude = z
  .number({ error: 'must be a number' })
  .min(-90, 'latitude must be between -90 and 90')
  .max(90, 'latitude must be between -90 and 90');

/** `coords: [lng, lat]` or separate `lat` and `lng`; merge into a body schema. */
export const pointInput = {
  coords: z.tuple([longitude, latitude], { error: 'must be [lng, lat]' }).optional(),
  lat: latitude.optional(),
  lng: longitude.optional(),
};

/** The position a body gives, or undefined when it gives none; one of lat/lng alone is refused. */
export function pointOf(body: {
  coords?: [number, number] | undefined;
  lat?: number | undefined;
  lng?: number | undefined;
}): { lat: number; lng: number } | undefined {
  if (body.coords) return { lng: body.coords[0], lat: body.coords[1] };
  if (body.lat === undefined && body.lng === undefined) return undefined;
  if (body.lat === undefined) throw new ValidationError('lat: is required with lng', 'lat');
  if (body.lng === undefined) throw new ValidationError('lng: is required with lat', 'lng');
  return { lat: body.lat, lng: body.lng };
}

/** Refuses ids in a body that name no record (400 naming the field). */
export async function requireIds(
  find: (ids: string[]) => Promise<Array<{ id: string }>>,
  wanted: readonly string[],
  field: string,
  what: string,
): Promise<void> {
  const unique = [...new Set(wanted)];
  if (unique.length === 0) return;
  const found = new Set((await find(unique)).map((r) => r.id));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length)
    throw new ValidationError(`${field}: ${what} ${missing.join(', ')} not found`, field);
}

/** Prisma's known-request errors for a write on one record, as API errors. */
export function mapWriteError(
  err: unknown,
  label: string,
  id: string,
  uniqueField?: string,
): never {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'P2025') throw new NotFoundError(label, id);
  if (code === 'P2003') {
    throw new ConflictError(`${label} ${id} is still referenced by other records`);
  }
  if (isUniqueViolation(err)) {
    const field = uniqueField ?? uniqueViolationFields(err)[0] ?? 'id';
    throw new ConflictError(`${field}: another ${label} already has this ${field}`, field);
  }
  throw err;
}
