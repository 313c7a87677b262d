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

/** Valid features of one stretch of the file, by kind, ready to plan. */
export interface ValidatedBatch {
  boxes: BoxInput[];
  poles: PoleInput[];
  spans: SpanInput[];
  regions: RegionInput[];
}

export const emptyBatch = (): ValidatedBatch => ({ boxes: [], poles: [], spans: [], regions: [] });

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
 * Checks a file feature by feature as it streams by, listing every problem with its place in the
 * file. Checks across features (names and external ids that must be unique) keep only what they
 * need to name the first occurrence, so a million features are never held at once.
 */
export class FileValidator {
  readonly problems: string[] = [];
  private readonly names = new Map<Kind, Map<string, number>>();
  private readonly externalIds = new Map<Kind, Map<string, number>>();
  private readonly splitterExternalIds = new Map<string, string>();

  constructor() {
    for (const kind of KINDS) {
      this.names.set(kind, new Map());
      this.externalIds.set(kind, new Map());
    }
  }

  /** Checks the `index`-th feature and adds it to `batch` when it is valid. */
  add(feature: unknown, index: number, batch: ValidatedBatch): void {
    const path = `features[${index}]`;
    const problems = this.problems;
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
    const valid = validFeature(kind, feature, index, problems);
    if (valid) {
      if (!valid.properties.name && !valid.properties.external_id)
        problems.push(`${path}.properties: a ${kind} needs a name or an external_id`);
      (batch[BATCH_KEY[kind]] as ValidFeature[]).push(valid);
    }
    if (isObject(props)) this.checkUnique(kind, index, props.name, props.external_id);
    if (valid && kind === 'box') this.checkSplitterIds(valid as BoxInput);
  }

  /** Names and external ids identify rows on re-import, so each must appear once per kind. */
  private checkUnique(kind: Kind, index: number, name: unknown, externalId: unknown): void {
    const at = `features[${index}].properties`;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const names = this.names.get(kind)!;
    const externalIds = this.externalIds.get(kind)!;
    const problems = this.problems;
    noteDuplicate(names, text(name), index, `${at}.name`, `${kind} name`, 'features[%]', problems);
    noteDuplicate(
      externalIds,
      text(externalId),
      index,
      `${at}.external_id`,
      `${kind} external_id`,
      'features[%]',
      problems,
    );
  }

  private checkSplitterIds(box: BoxInput): void {
    (box.properties.splitters ?? []).forEach((s, i) => {
      const at = `${box.path}.properties.splitters[${i}]`;
      if (!s.external_id) return;
      const first = this.splitterExternalIds.get(s.external_id);
      if (first && !first.startsWith(`${box.path}.`)) {
        this.problems.push(
          `${at}.external_id: duplicate splitter external_id ${JSON.stringify(s.external_id)} (also ${first})`,
        );
      }
      if (!first) this.splitterExternalIds.set(s.external_id, at);
    });
  }
}

type ValidFeature = BoxInput | PoleInput | SpanInput | RegionInput;

const BATCH_KEY = { box: 'boxes', pole: 'poles', span: 'spans', region: 'regions' } as const;

/** One feature of a known kind checked against its schema; undefined (with problems) when invalid. */
function validFeature(
  kind: Kind,
  feature: Record<string, unknown>,
  index: number,
  problems: string[],
): ValidFeature | undefined {
  const path = `features[${index}]`;
  const props = feature.properties;
  const geometry = feature.geometry;
  const geometryType = isObject(geometry) ? geometry.type : undefined;
  const before = problems.length;
  const valid = <T extends object>(g: unknown, p: T | undefined) =>
    g && p && problems.length === before ? { index, path, properties: p, geometry: g } : undefined;
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
    return valid(g, p) as RegionInput | undefined;
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
    return valid(g, p) as SpanInput | undefined;
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
    return valid(g, p) as PoleInput | undefined;
  }
  const p = collect(boxPropertiesSchema, props, `${path}.properties`, problems);
  if (p) checkSplitters(p, `${path}.properties`, problems);
  return valid(g, p) as BoxInput | undefined;
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

/** Problems sorted by the feature they belong to (stable within a feature). */
export function inFileOrder(problems: string[]): string[] {
  const featureOf = (p: string) => Number(/^features\[(\d+)\]/.exec(p)?.[1] ?? -1);
  return problems
    .map((p, i) => ({ p, i, f: featureOf(p) }))
    .sort((a, b) => a.f - b.f || a.i - b.i)
    .map((x) => x.p);
}
