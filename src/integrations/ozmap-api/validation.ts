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

export const idRef = z.string().regex(ID_PATTERN, 'must be a 24-character hex id');
export const idList = z.array(idRef);
export const text = z.string().trim();
export const nullableText = text.nullable();

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
