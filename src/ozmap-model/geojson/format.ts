import { z } from 'zod';

// The GeoJSON inventory format (docs/geojson.md): a FeatureCollection of boxes, poles, spans
// (cable spans between poles) and regions.
// Coordinates are [lng, lat]. Properties absent on import leave the stored value as it is.

const intRange = (min: number, max: number) => {
  const error = `must be an integer ${min}..${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const text = z.string().trim().min(1, { error: 'must not be empty' }).max(200);
const nullableText = text.nullable();

const position = z
  .tuple([
    z
      .number({ error: 'longitude must be a number' })
      .min(-180, { error: 'longitude must be between -180 and 180' })
      .max(180, { error: 'longitude must be between -180 and 180' }),
    z
      .number({ error: 'latitude must be a number' })
      .min(-90, { error: 'latitude must be between -90 and 90' })
      .max(90, { error: 'latitude must be between -90 and 90' }),
  ])
  .rest(z.number());

const ring = z
  .array(position)
  .min(4, { error: 'a ring needs at least 4 positions' })
  .refine((r) => r.length < 4 || samePosition(r[0], r[r.length - 1]), {
    error: 'ring is not closed: its first and last positions must be equal',
  });

function samePosition(a: number[] | undefined, b: number[] | undefined): boolean {
  return a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1];
}

export const pointSchema = z.object({ type: z.literal('Point'), coordinates: position });
export const lineStringSchema = z.object({
  type: z.literal('LineString'),
  coordinates: z.array(position).min(2, { error: 'a line needs at least 2 positions' }),
});
export const polygonSchema = z.object({
  type: z.literal('Polygon'),
  coordinates: z.array(ring).min(1, { error: 'a polygon needs at least one ring' }),
});
export const multiPolygonSchema = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z
    .array(z.array(ring).min(1, { error: 'a polygon needs at least one ring' }))
    .min(1, { error: 'a multipolygon needs at least one polygon' }),
});

const portSchema = z.object({ index: intRange(1, 128), blocked: z.boolean() });

export const splitterSchema = z.object({
  name: nullableText.optional(),
  external_id: nullableText.optional(),
  /** Splitter type code, e.g. "1x8"; defaults to "<input>x<output>". */
  type: text.optional(),
  isDrop: z.boolean().optional(),
  ratio: z.object({ input: intRange(1, 8), output: intRange(2, 128) }),
  /** When present, the full port state: ports not listed are unblocked. */
  ports: z.array(portSchema).optional(),
});

const tags = z.array(text);

const named = {
  name: nullableText.optional(),
  external_id: nullableText.optional(),
};

export const boxPropertiesSchema = z.object({
  kind: z.literal('box'),
  ...named,
  draft: z.boolean().optional(),
  implanted: z.boolean().optional(),
  hierarchyLevel: intRange(0, 100).optional(),
  boxType: nullableText.optional(),
  address: z.string().max(500).nullable().optional(),
  /** A pole's external_id or name, in this file or already stored. */
  pole: nullableText.optional(),
  tags: tags.optional(),
  splitters: z.array(splitterSchema).optional(),
});

export const polePropertiesSchema = z.object({ kind: z.literal('pole'), ...named });

/** No span longer than this: a longer one is surely a unit mistake (km for m). */
export const MAX_SPAN_LENGTH = 5000;

export const spanPropertiesSchema = z.object({
  kind: z.literal('span'),
  ...named,
  /** The two poles the span joins: each a pole's external_id or name, in this file or stored. */
  poles: z
    .tuple([text, text], { error: 'must be the two poles the span joins' })
    .refine(([a, b]) => a !== b, { error: 'must be two different poles' }),
  /** Metres; null = the great circle between the poles (it follows them when they move). */
  length: z
    .number({ error: 'must be a number of metres' })
    .min(0, { error: 'must be at least 0' })
    .max(MAX_SPAN_LENGTH, { error: `must be at most ${MAX_SPAN_LENGTH} metres` })
    .nullable()
    .optional(),
  /** The cable the span belongs to, as the provider names it. */
  cable: nullableText.optional(),
});

export const regionPropertiesSchema = z.object({
  kind: z.literal('region'),
  ...named,
  regionType: text,
  tags: tags.optional(),
});

export type Position = z.infer<typeof position>;
export type PointGeometry = z.infer<typeof pointSchema>;
export type LineGeometry = z.infer<typeof lineStringSchema>;
export type RegionGeometry = z.infer<typeof polygonSchema> | z.infer<typeof multiPolygonSchema>;
export type SplitterProperties = z.infer<typeof splitterSchema>;
export type BoxProperties = z.infer<typeof boxPropertiesSchema>;
export type PoleProperties = z.infer<typeof polePropertiesSchema>;
export type SpanProperties = z.infer<typeof spanPropertiesSchema>;
export type RegionProperties = z.infer<typeof regionPropertiesSchema>;

export type InventoryFeature =
  | { type: 'Feature'; geometry: PointGeometry; properties: BoxProperties }
  | { type: 'Feature'; geometry: PointGeometry; properties: PoleProperties }
  | { type: 'Feature'; geometry: LineGeometry; properties: SpanProperties }
  | { type: 'Feature'; geometry: RegionGeometry; properties: RegionProperties };

export interface InventoryCollection {
  type: 'FeatureCollection';
  features: InventoryFeature[];
}

/** A feature that passed validation, with its place in the file for error messages. */
export type Located<P, G> = { index: number; path: string; properties: P; geometry: G };
export type BoxInput = Located<BoxProperties, PointGeometry>;
export type PoleInput = Located<PoleProperties, PointGeometry>;
export type SpanInput = Located<SpanProperties, LineGeometry>;
export type RegionInput = Located<RegionProperties, RegionGeometry>;
