import type { z } from 'zod';
import {
  boxPropertiesSchema,
  lineStringSchema,
  multiPolygonSchema,
  pointSchema,
  polePropertiesSchema,
  polygonSchema,
  regionPropertiesSchema,
  spanPropertiesSchema,
  type BoxInput,
  type PoleInput,
  type RegionGeometry,
  type RegionInput,
  type SpanInput,
} from './format.js';

export interface ValidatedFile {
  /** Every feature of a known kind with its identity as written, valid or not. */
  identities: Array<{ kind: Kind; index: number; name: unknown; externalId: unknown }>;
  boxes: BoxInput[];
  poles: PoleInput[];
  spans: SpanInput[];
  regions: RegionInput[];
  problems: string[];
}

const KINDS = ['box', 'pole', 'span', 'region'] as const;
type Kind = (typeof KINDS)[number];

/** `['splitters', 0, 'ratio']` under `features[3].properties` → `features[3].properties.splitters[0].ratio`. */
function pathOf(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    base,
  );
}

function collect<T>(
  schema: z.ZodType<T>,
  value: unknown,
  base: string,
  problems: string[],
): T | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    problems.push(`${pathOf(base, issue.path)}: ${issue.message}`);
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks the whole file and lists every problem, each with its place in the file; returns the
 * features that are valid on their own so later checks (against the database) can run on them.
 */
export function validateFile(input: unknown): ValidatedFile {
  const out = emptyValidatedFile();
  if (!isObject(input) || input.type !== 'FeatureCollection') {
    out.problems.push('type: must be "FeatureCollection"');
    return out;
  }
  if (!Array.isArray(input.features)) {
    out.problems.push('features: must be an array');
    return out;
  }
  input.features.forEach((feature: unknown, index) => validateFeature(feature, index, out));
  return finishValidation(out);
}

export const emptyValidatedFile = (): ValidatedFile => ({
  identities: [],
  boxes: [],
  poles: [],
  spans: [],
  regions: [],
  problems: [],
});

/** The checks across features (duplicates), once every feature went through validateFeature. */
export function finishValidation(out: ValidatedFile): ValidatedFile {
  checkDuplicates(out);
  out.problems = inFileOrder(out.problems);
  return out;
}

/** Checks one feature (the `index`-th of the file) and keeps it in `out` when it is valid. */
export function validateFeature(feature: unknown, index: number, out: ValidatedFile): void {
  const path = `features[${index}]`;
  const problems = out.problems;
  if (!isObject(feature) || feature.type !== 'Feature') {
    problems.push(`${path}.type: must be "Feature"`);
    return;
  }
  const props = feature.properties;
  const kind = KINDS.find((k) => isObject(props) && props.kind === k);
  if (!kind) {
    problems.push(
      `${path}.properties.kind: unknown kind ${JSON.stringify(isObject(props) ? props.kind : undefined)} (expected box, pole, span or region)`,
    );
    return;
  }
  if (isObject(props)) {
    out.identities.push({ kind, index, name: props.name, externalId: props.external_id });
  }
  const geometry = feature.geometry;
  const geometryType = isObject(geometry) ? geometry.type : undefined;
  const before = problems.length;
  if (kind === 'region') {
    const schema: z.ZodType<RegionGeometry> | undefined =
      geometryType === 'MultiPolygon'
        ? multiPolygonSchema
        : geometryType === 'Polygon'
          ? polygonSchema
          : undefined;
    if (!schema) {
      problems.push(
        `${path}.geometry.type: a region must be a Polygon or MultiPolygon (got ${JSON.stringify(geometryType)})`,
      );
    }
    const g = schema && collect(schema, geometry, `${path}.geometry`, problems);
    const p = collect(regionPropertiesSchema, props, `${path}.properties`, problems);
    if (g && p && problems.length === before)
      out.regions.push({ index, path, properties: p, geometry: g });
    return;
  }
  if (kind === 'span') {
    if (geometryType !== 'LineString') {
      problems.push(
        `${path}.geometry.type: a span must be a LineString (got ${JSON.stringify(geometryType)})`,
      );
    }
    const g =
      geometryType === 'LineString'
        ? collect(lineStringSchema, geometry, `${path}.geometry`, problems)
        : undefined;
    const p = collect(spanPropertiesSchema, props, `${path}.properties`, problems);
    if (g && p && problems.length === before)
      out.spans.push({ index, path, properties: p, geometry: g });
    return;
  }
  if (geometryType !== 'Point') {
    problems.push(
      `${path}.geometry.type: a ${kind} must be a Point (got ${JSON.stringify(geometryType)})`,
    );
  }
  const g =
    geometryType === 'Point'
      ? collect(pointSchema, geometry, `${path}.geometry`, problems)
      : undefined;
  if (kind === 'pole') {
    const p = collect(polePropertiesSchema, props, `${path}.properties`, problems);
    if (g && p && problems.length === before)
      out.poles.push({ index, path, properties: p, geometry: g });
    return;
  }
  const p = collect(boxPropertiesSchema, props, `${path}.properties`, problems);
  if (p) checkSplitters(p, `${path}.properties`, problems);
  if (g && p && problems.length === before)
    out.boxes.push({ index, path, properties: p, geometry: g });
}

function checkSplitters(
  box: z.infer<typeof boxPropertiesSchema>,
  base: string,
  problems: string[],
): void {
  const splitters = box.splitters ?? [];
  const names = new Map<string, number>();
  const externalIds = new Map<string, number>();
  splitters.forEach((s, i) => {
    const at = `${base}.splitters[${i}]`;
    if (!s.name && !s.external_id) problems.push(`${at}: needs a name or an external_id`);
    noteDuplicate(
      names,
      s.name,
      i,
      `${at}.name`,
      'splitter name in this box',
      `splitters[%]`,
      problems,
    );
    noteDuplicate(
      externalIds,
      s.external_id,
      i,
      `${at}.external_id`,
      'splitter external_id in this box',
      `splitters[%]`,
      problems,
    );
    const seen = new Set<number>();
    (s.ports ?? []).forEach((port, j) => {
      if (port.index > s.ratio.output) {
        problems.push(
          `${at}.ports[${j}].index: port ${port.index} is beyond the splitter's ${s.ratio.output} outputs`,
        );
      }
      if (seen.has(port.index))
        problems.push(`${at}.ports[${j}].index: port ${port.index} is listed twice`);
      seen.add(port.index);
    });
  });
}

function noteDuplicate(
  seen: Map<string, number>,
  value: string | null | undefined,
  index: number,
  at: string,
  what: string,
  firstPattern: string,
  problems: string[],
): void {
  if (!value) return;
  const first = seen.get(value);
  if (first === undefined) {
    seen.set(value, index);
    return;
  }
  problems.push(
    `${at}: duplicate ${what} ${JSON.stringify(value)} (also ${firstPattern.replace('%', String(first))})`,
  );
}

/** Names and external ids identify rows on re-import, so each must appear once per kind. */
function checkDuplicates(out: ValidatedFile): void {
  for (const f of [...out.poles, ...out.spans, ...out.boxes, ...out.regions]) {
    if (!f.properties.name && !f.properties.external_id) {
      out.problems.push(
        `${f.path}.properties: a ${f.properties.kind} needs a name or an external_id`,
      );
    }
  }
  for (const kind of KINDS) {
    const names = new Map<string, number>();
    const externalIds = new Map<string, number>();
    for (const { index, name, externalId } of out.identities.filter((f) => f.kind === kind)) {
      const at = `features[${index}].properties`;
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      noteDuplicate(
        names,
        text(name),
        index,
        `${at}.name`,
        `${kind} name`,
        'features[%]',
        out.problems,
      );
      noteDuplicate(
        externalIds,
        text(externalId),
        index,
        `${at}.external_id`,
        `${kind} external_id`,
        'features[%]',
        out.problems,
      );
    }
  }
  checkSplitterIdsAcrossBoxes(out);
}

/** Problems sorted by the feature they belong to (stable within a feature). */
export function inFileOrder(problems: string[]): string[] {
  const featureOf = (p: string) => Number(/^features\[(\d+)\]/.exec(p)?.[1] ?? -1);
  return problems
    .map((p, i) => ({ p, i, f: featureOf(p) }))
    .sort((a, b) => a.f - b.f || a.i - b.i)
    .map((x) => x.p);
}

function checkSplitterIdsAcrossBoxes(out: ValidatedFile): void {
  const seen = new Map<string, string>();
  for (const box of out.boxes) {
    (box.properties.splitters ?? []).forEach((s, i) => {
      const at = `${box.path}.properties.splitters[${i}]`;
      if (!s.external_id) return;
      const first = seen.get(s.external_id);
      if (first && !first.startsWith(`${box.path}.`)) {
        out.problems.push(
          `${at}.external_id: duplicate splitter external_id ${JSON.stringify(s.external_id)} (also ${first})`,
        );
      }
      if (!first) seen.set(s.external_id, at);
    });
  }
}
