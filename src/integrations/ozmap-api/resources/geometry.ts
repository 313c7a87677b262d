import { z } from 'zod';
import { ValidationError } from '../../../errors.js';
import { compileRegion } from '../../../viability/regions.js';

/** A GeoJSON Polygon body field, validated by the viability core's compiler. */
export const polygonInput = z.object({
  type: z.literal('Polygon', { error: 'type must be "Polygon"' }),
  // Bounded so one body cannot make every later viability query test a million-vertex ring.
  coordinates: z
    .array(
      z.array(z.array(z.number()).max(3)).max(10_000, 'a ring may have at most 10000 positions'),
    )
    .max(100, 'a polygon may have at most 100 rings'),
});

/** Refuses rings with too few positions or out-of-range coordinates, naming `field`. */
export function checkPolygon(polygon: z.infer<typeof polygonInput>, field: string): string {
  try {
    compileRegion({ id: field, tags: [], polygon });
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^region [\w.]+: /, '') : 'invalid';
    throw new ValidationError(`${field}: ${reason}`, field);
  }
  return JSON.stringify(polygon);
}
