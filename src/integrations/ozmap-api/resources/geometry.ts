import { z } from 'zod';
import { ValidationError } from '../../../errors.js';
import { compileRegion } from '../../../viability/regions.js';

/** A GeoJSON Polygon body field, validated by the viability core's compiler. */
export const polygonInput = z.object({
  type: z.literal('Polygon', { error: 'type must be "Polygon"' }),
  coordinates: z.array(z.array(z.array(z.number()))),
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
