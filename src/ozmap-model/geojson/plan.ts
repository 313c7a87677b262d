import { newId } from '../../ids.js';
import { haversineMeters } from '../../viability/index.js';
import type { BoxInput, PoleInput, RegionInput, SpanInput, SplitterProperties } from './format.js';
import { RowIndex, sameIds } from './match.js';
import {
  emptyCounts,
  noRowWrites,
  type NewSplitterType,
  type Plan,
  type RowUpdate,
  type Writes,
} from './plan-types.js';
import type { BoxRow, Identified, Snapshot, SpanRow, SplitterRow } from './snapshot.js';

/** A span's given length may be this much shorter than the line between its poles (positions are approximate). */
export const SPAN_POSITION_TOLERANCE = 20;

export interface PlanOptions {
  /** Project for new rows: found by name or created. Default: the oldest project, or a new one. */
  project?: string;
}

export const DEFAULT_PROJECT_NAME = 'Default project';

/** Fields whose desired value differs from the stored one, ready for an update. */
function changes(row: object, desired: Record<string, unknown>): Record<string, unknown> {
  const current = row as Record<string, unknown>;
  return Object.fromEntries(Object.entries(desired).filter(([k, v]) => current[k] !== v));
}

/** A row matched through its own id keeps its (empty) external id rather than copying the id. */
function externalIdFor(wanted: string | null | undefined, row: Identified | null): string | null {
  if (!wanted || (row && wanted === row.id && row.externalId === null))
    return row?.externalId ?? null;
  return wanted;
}

/** A splitter whose port count shrinks; checked against held ports before anything is written. */
export interface Shrink {
  splitterId: string;
  keep: number;
  path: string;
}

/**
 * Works out every write of an import from the validated features and the stored rows, adding a
 * problem for anything that cannot be applied. Pure over its inputs: it writes nothing. The file
 * comes a stretch at a time; `drain` hands over the stretch's writes and forgets them, while what
 * later stretches need (rows claimed, the file's poles, new catalogue entries) stays.
 */
export class Planner {
  readonly plan: Plan;
  shrinks: Shrink[] = [];
  private rows = noRowWrites();
  private readonly boxTypes: Array<{ id: string; code: string }> = [];
  private readonly splitterTypes: NewSplitterType[] = [];
  private readonly regionTypes: Array<{ id: string; name: string }> = [];
  private readonly tags: Array<{ id: string; name: string; kinds: Set<string> }> = [];
  /** How many of each catalogue list earlier drains handed over, and the tags' kinds then. */
  private readonly drained = { boxTypes: 0, splitterTypes: 0, regionTypes: 0, tags: 0 };
  private readonly drainedKinds = new Map<string, string>();
  private projectDrained = false;
  private readonly poles: RowIndex<Snapshot['poles'][number]>;
  private readonly boxes: RowIndex<BoxRow>;
  private readonly regions: RowIndex<Snapshot['regions'][number]>;
  private readonly spans: RowIndex<SpanRow>;
  // The file's poles by external id and by name (a million of them in a large file: kept flat,
  // positions in one array of numbers, so the collector has few objects to trace).
  private readonly filePolesByExternalId = new Map<string, string>();
  private readonly filePolesByName = new Map<string, string>();
  /** Where each pole will be after the import ([lng, lat]): the file's position, else the stored one. */
  private readonly polePositions = new Map<string, number>();
  private readonly lngLat: number[] = [];
  private readonly newSplitterTypes = new Map<string, { path: string; ratio: string }>();
  private splitterIndex = new RowIndex<SplitterRow>([], 'splitter');
  private readonly splittersByBox = new Map<string, SplitterRow[]>();

  constructor(
    private readonly snap: Snapshot,
    problems: string[],
    options: PlanOptions,
  ) {
    this.poles = new RowIndex(snap.poles, 'pole');
    this.boxes = new RowIndex(snap.boxes, 'box');
    this.regions = new RowIndex(snap.regions, 'region');
    this.spans = new RowIndex(snap.spans, 'span');
    const wanted = options.project;
    const found = wanted ? snap.projects.find((p) => p.name === wanted) : snap.projects[0];
    this.plan = {
      problems,
      changedBoxIds: new Set(),
      changedPoleIds: new Set(),
      report: {
        poles: emptyCounts(),
        spans: emptyCounts(),
        boxes: emptyCounts(),
        splitters: emptyCounts(),
        regions: emptyCounts(),
        createdCatalogue: {
          projects: found ? 0 : 1,
          boxTypes: 0,
          splitterTypes: 0,
          regionTypes: 0,
          tags: 0,
        },
      },
      project: found
        ? { ...found, create: false }
        : { id: newId(), name: wanted ?? DEFAULT_PROJECT_NAME, create: true },
    };
  }

  /** The writes planned since the last drain, in the order they must be applied. */
  drain(): Writes {
    const { project } = this.plan;
    const tagKinds: Writes['tagKinds'] = [];
    for (const t of this.tags.slice(0, this.drained.tags)) {
      const kinds = [...t.kinds].sort();
      if (this.drainedKinds.get(t.id) !== kinds.join()) tagKinds.push({ id: t.id, kinds });
    }
    const newTags = this.tags.slice(this.drained.tags);
    const writes: Writes = {
      project: { ...project, create: project.create && !this.projectDrained },
      boxTypes: this.boxTypes.slice(this.drained.boxTypes),
      splitterTypes: this.splitterTypes.slice(this.drained.splitterTypes),
      regionTypes: this.regionTypes.slice(this.drained.regionTypes),
      tags: newTags.map((t) => ({ id: t.id, name: t.name, kinds: [...t.kinds].sort() })),
      tagKinds,
      ...this.rows,
    };
    for (const t of [...tagKinds, ...writes.tags]) this.drainedKinds.set(t.id, t.kinds.join());
    this.projectDrained = true;
    this.drained.boxTypes = this.boxTypes.length;
    this.drained.splitterTypes = this.splitterTypes.length;
    this.drained.regionTypes = this.regionTypes.length;
    this.drained.tags = this.tags.length;
    this.rows = noRowWrites();
    this.shrinks = [];
    return writes;
  }

  /**
   * Whether a pole reference can be settled now: by a pole the file named so far, or a stored
   * pole with that external id, id or unique name. A reference to a pole further down the file
   * waits for it.
   */
  knowsPole(ref: string): boolean {
    return typeof this.lookUpPole(ref) === 'string';
  }

  private problem(message: string): void {
    this.plan.problems.push(message);
  }

  /** Finds and claims the stored row for a feature; undefined when the feature has a problem. */
  private match<T extends Identified>(
    index: RowIndex<T>,
    path: string,
    p: { name?: string | null; external_id?: string | null },
  ): T | null | undefined {
    const found = index.find(p.external_id, p.name);
    if ('problem' in found) {
      this.problem(`${path}.properties.name: ${found.problem}`);
      return undefined;
    }
    const clash = found.row && index.claim(found.row, path);
    if (clash) {
      this.problem(`${path}: ${clash}`);
      return undefined;
    }
    return found.row;
  }

  planPoles(features: PoleInput[]): void {
    for (const f of features) {
      const row = this.match(this.poles, f.path, f.properties);
      if (row === undefined) continue;
      const id = row?.id ?? newId();
      if (f.properties.external_id) this.filePolesByExternalId.set(f.properties.external_id, id);
      if (f.properties.name) this.filePolesByName.set(f.properties.name, id);
      const [lng, lat] = f.geometry.coordinates;
      this.polePositions.set(id, this.lngLat.push(lng, lat) - 2);
      const desired = {
        name: f.properties.name ?? row?.name ?? null,
        externalId: externalIdFor(f.properties.external_id, row),
        lng,
        lat,
      };
      this.record('poles', row, desired, id);
    }
  }

  /**
   * Spans after poles (their poles may be new in the file). `length` absent keeps the stored one;
   * on a new span it is the line's own length when the line has more than its two ends, else
   * null (the poles' great circle). A given length shorter than the line between the poles
   * (beyond SPAN_POSITION_TOLERANCE) is a problem: surely a wrong pole or a unit mistake.
   */
  planSpans(features: SpanInput[]): void {
    for (const f of features) {
      const row = this.match(this.spans, f.path, f.properties);
      if (row === undefined) continue;
      const p = f.properties;
      const [a, b] = p.poles.map((ref, k) => this.pole(ref, f.path, `poles[${k}]`));
      if (!a || !b) continue;
      if (a === b) {
        this.problem(`${f.path}.properties.poles: both name the same pole`);
        continue;
      }
      const line = f.geometry.coordinates;
      const length =
        p.length !== undefined
          ? p.length
          : row
            ? row.length
            : line.length > 2
              ? Math.round(lineLength(line) * 100) / 100
              : null;
      const [pa, pb] = [this.positionOf(a), this.positionOf(b)];
      if (length !== null && pa && pb) {
        const straight = haversineMeters(pa[1], pa[0], pb[1], pb[0]);
        if (length + SPAN_POSITION_TOLERANCE < straight) {
          this.problem(
            `${f.path}.properties.length: ${length} m is shorter than the ${straight.toFixed(1)} m between the poles`,
          );
          continue;
        }
      }
      const id = row?.id ?? newId();
      const desired = {
        name: p.name ?? row?.name ?? null,
        externalId: externalIdFor(p.external_id, row),
        poleAId: a,
        poleBId: b,
        length,
        cable: p.cable === undefined ? (row?.cable ?? null) : p.cable,
      };
      const before = this.plan.report.spans.unchanged;
      this.record('spans', row, desired, id);
      if (this.plan.report.spans.unchanged === before) {
        for (const pole of [a, b, row?.poleAId, row?.poleBId]) {
          if (pole) this.plan.changedPoleIds.add(pole);
        }
      }
    }
  }

  private positionOf(poleId: string): [number, number] | undefined {
    const inFile = this.polePositions.get(poleId);
    if (inFile !== undefined) return [this.lngLat[inFile]!, this.lngLat[inFile + 1]!];
    const stored = this.poles.get(poleId);
    return stored ? [stored.lng, stored.lat] : undefined;
  }

  private record(
    kind: 'poles' | 'boxes' | 'spans',
    row: object | null,
    desired: Record<string, unknown>,
    id: string,
    extra: Record<string, unknown> = {},
  ): void {
    const counts = this.plan.report[kind];
    const data = row ? { ...changes(row, desired), ...extra } : {};
    if (kind === 'boxes' && (!row || Object.keys(data).length)) this.plan.changedBoxIds.add(id);
    if (kind === 'poles' && (!row || Object.keys(data).length)) this.plan.changedPoleIds.add(id);
    if (kind === 'boxes' && (!row ? desired.poleId : 'poleId' in data)) {
      // the box joins or leaves a pole: both poles' box lists change
      for (const pole of [desired.poleId, (row as BoxRow | null)?.poleId]) {
        if (typeof pole === 'string') this.plan.changedPoleIds.add(pole);
      }
    }
    if (!row) {
      this.rows[kind].create.push({ id, projectId: this.plan.project.id, ...desired });
      counts.created++;
      return;
    }
    if (Object.keys(data).length) {
      this.rows[kind].update.push({ id, data });
      counts.updated++;
    } else {
      counts.unchanged++;
    }
  }

  /** The stored boxes the features refer to; their splitters must be loaded before planBoxes. */
  matchBoxes(features: BoxInput[]): Array<{ feature: BoxInput; row: BoxRow | null }> {
    const out: Array<{ feature: BoxInput; row: BoxRow | null }> = [];
    for (const feature of features) {
      const row = this.match(this.boxes, feature.path, feature.properties);
      if (row !== undefined) out.push({ feature, row });
    }
    return out;
  }

  planBoxes(
    matches: Array<{ feature: BoxInput; row: BoxRow | null }>,
    splitters: SplitterRow[],
  ): void {
    this.splitterIndex = new RowIndex(splitters, 'splitter');
    this.splittersByBox.clear();
    for (const s of splitters) {
      this.splittersByBox.set(s.boxId, [...(this.splittersByBox.get(s.boxId) ?? []), s]);
    }
    for (const { feature: f, row } of matches) {
      const p = f.properties;
      const id = row?.id ?? newId();
      const boxTypeId =
        p.boxType === undefined ? (row?.boxTypeId ?? null) : p.boxType && this.boxType(p.boxType);
      const poleId =
        p.pole === undefined ? (row?.poleId ?? null) : p.pole && this.pole(p.pole, f.path);
      if (poleId === undefined) continue;
      const draft = p.draft ?? row?.draft ?? false;
      const [lng, lat] = f.geometry.coordinates;
      const desired = {
        name: p.name ?? row?.name ?? null,
        externalId: externalIdFor(p.external_id, row),
        lng,
        lat,
        draft,
        implanted: p.implanted ?? row?.implanted ?? !draft,
        hierarchyLevel: p.hierarchyLevel ?? row?.hierarchyLevel ?? this.defaultLevel(boxTypeId),
        boxTypeId,
        address: p.address === undefined ? (row?.address ?? null) : p.address,
        poleId,
      };
      const tagIds = p.tags === undefined ? (row?.tagIds ?? []) : this.tagIds(p.tags, 'box');
      const tagChange =
        row && !sameIds(row.tagIds, tagIds)
          ? { tags: { set: tagIds.map((t) => ({ id: t })) } }
          : {};
      this.record('boxes', row, desired, id, tagChange);
      if (!row && tagIds.length) this.rows.boxes.tags.push({ id, tagIds });
      (p.splitters ?? []).forEach((s, j) =>
        this.planSplitter(s, `${f.path}.properties.splitters[${j}]`, id, row, desired.implanted),
      );
    }
  }

  private planSplitter(
    s: SplitterProperties,
    path: string,
    boxId: string,
    box: BoxRow | null,
    boxImplanted: boolean,
  ): void {
    const type = this.splitterType(s, path);
    const row = this.matchSplitter(s, path, boxId, box);
    if (!type || row === undefined) return;
    const id = row?.id ?? newId();
    const desired = {
      name: s.name ?? row?.name ?? null,
      externalId: externalIdFor(s.external_id, row),
      splitterTypeId: type.id,
      isDrop: s.isDrop ?? row?.isDrop ?? type.isDrop,
      ratioIn: s.ratio.input,
      ratioOut: s.ratio.output,
    };
    const counts = this.plan.report.splitters;
    const listed = new Map((s.ports ?? []).map((p) => [p.index, p.blocked]));
    const stored = new Map((row?.ports ?? []).map((p) => [p.index, p.blocked]));
    const want = (i: number) => listed.get(i) ?? (s.ports ? false : (stored.get(i) ?? false));
    if (!row) {
      const projectId = this.plan.project.id;
      this.rows.splitters.create.push({
        id,
        boxId,
        projectId,
        implanted: boxImplanted,
        ...desired,
      });
      // A port has a row only when it has something of its own: here, being blocked.
      const blocked: number[] = [];
      for (let i = 1; i <= s.ratio.output; i++) if (want(i)) blocked.push(i);
      if (blocked.length) this.rows.ports.create.push({ splitterId: id, indexes: blocked });
      counts.created++;
      this.plan.changedBoxIds.add(boxId);
      return;
    }
    let portsChanged = false;
    const flips: Record<'true' | 'false', number[]> = { true: [], false: [] };
    const added = { splitterId: id, indexes: [] as number[] };
    for (let i = 1; i <= s.ratio.output; i++) {
      const now = stored.get(i) ?? false;
      if (now === want(i)) continue;
      portsChanged = true;
      if (!stored.has(i)) added.indexes.push(i);
      else flips[String(want(i)) as 'true' | 'false'].push(i);
    }
    if (added.indexes.length) this.rows.ports.create.push(added);
    for (const blocked of [true, false]) {
      const indexes = flips[String(blocked) as 'true' | 'false'];
      if (indexes.length) this.rows.ports.setBlocked.push({ splitterId: id, indexes, blocked });
    }
    if (row.ratioOut > s.ratio.output || [...stored.keys()].some((i) => i > s.ratio.output)) {
      this.rows.ports.removeAbove.push({ splitterId: id, keep: s.ratio.output });
      this.shrinks.push({ splitterId: id, keep: s.ratio.output, path });
      portsChanged = true;
    }
    const data = changes(row, desired);
    if (Object.keys(data).length) this.rows.splitters.update.push({ id, data });
    if (Object.keys(data).length || portsChanged) {
      counts.updated++;
      this.plan.changedBoxIds.add(boxId);
    } else {
      counts.unchanged++;
    }
  }

  private matchSplitter(
    s: SplitterProperties,
    path: string,
    boxId: string,
    box: BoxRow | null,
  ): SplitterRow | null | undefined {
    const found = this.splitterIndex.find(s.external_id, null);
    let row: SplitterRow | null = 'row' in found ? found.row : null;
    if (row && row.boxId !== boxId) {
      const owner = this.boxes.get(row.boxId);
      this.problem(
        `${path}.external_id: splitter ${JSON.stringify(s.external_id)} belongs to another box (${owner?.name ?? row.boxId})`,
      );
      return undefined;
    }
    if (!row && box && s.name) {
      const candidates = (this.splittersByBox.get(box.id) ?? []).filter(
        (r) =>
          r.name === s.name && (!s.external_id || !r.externalId || r.externalId === s.external_id),
      );
      if (candidates.length > 1) {
        this.problem(
          `${path}.name: name ${JSON.stringify(s.name)} matches ${candidates.length} splitters of this box in the database; add an external_id to say which`,
        );
        return undefined;
      }
      row = candidates[0] ?? null;
    }
    const clash = row && this.splitterIndex.claim(row, path);
    if (clash) {
      this.problem(`${path}: ${clash}`);
      return undefined;
    }
    return row;
  }

  private splitterType(
    s: SplitterProperties,
    path: string,
  ): { id: string; isDrop: boolean } | undefined {
    const code = s.type ?? `${s.ratio.input}x${s.ratio.output}`;
    const ratio = `${s.ratio.input}:${s.ratio.output}`;
    const stored = this.snap.splitterTypes.find((t) => t.code === code);
    if (stored) {
      const storedRatio = `${stored.ratioIn}:${stored.ratioOut}`;
      if (storedRatio === ratio) return stored;
      this.problem(
        `${path}.ratio: splitter type "${code}" is ${storedRatio} in the database, not ${ratio}`,
      );
      return undefined;
    }
    const first = this.newSplitterTypes.get(code);
    if (first && first.ratio !== ratio) {
      this.problem(
        `${path}.ratio: splitter type "${code}" is ${first.ratio} in ${first.path}, not ${ratio}`,
      );
      return undefined;
    }
    const planned = this.splitterTypes.find((t) => t.code === code);
    if (planned) return planned;
    const created = {
      id: newId(),
      code,
      isDrop: s.isDrop ?? false,
      ratioIn: s.ratio.input,
      ratioOut: s.ratio.output,
    };
    this.newSplitterTypes.set(code, { path, ratio });
    this.splitterTypes.push(created);
    this.plan.report.createdCatalogue.splitterTypes++;
    return created;
  }

  private boxType(code: string): string {
    const found =
      this.snap.boxTypes.find((t) => t.code === code) ?? this.boxTypes.find((t) => t.code === code);
    if (found) return found.id;
    const id = newId();
    this.boxTypes.push({ id, code });
    this.plan.report.createdCatalogue.boxTypes++;
    return id;
  }

  private defaultLevel(boxTypeId: string | null): number {
    return this.snap.boxTypes.find((t) => t.id === boxTypeId)?.defaultLevel ?? 0;
  }

  /** A pole named in the file wins over a stored one; undefined (with a problem) when unknown. */
  private pole(ref: string, path: string, field = 'pole'): string | undefined {
    const found = this.lookUpPole(ref);
    if (typeof found === 'string') return found;
    this.problem(
      found
        ? `${path}.properties.${field}: pole ${found.problem}`
        : `${path}.properties.${field}: no pole ${JSON.stringify(ref)} in the file or the database`,
    );
    return undefined;
  }

  /** The id a pole reference names (the file's poles first), a problem, or undefined for none. */
  private lookUpPole(ref: string): string | { problem: string } | undefined {
    const inFile = this.filePolesByExternalId.get(ref) ?? this.filePolesByName.get(ref);
    if (inFile) return inFile;
    const stored = this.poles.find(ref, null);
    if ('row' in stored && stored.row) return stored.row.id;
    const byName = this.poles.find(null, ref);
    if ('problem' in byName) return byName;
    return byName.row?.id;
  }

  private tagIds(names: string[], kind: string): string[] {
    const ids = [...new Set(names)].map((name) => {
      const stored = this.snap.tags.find((t) => t.name === name);
      if (stored) return stored.id;
      let planned = this.tags.find((t) => t.name === name);
      if (!planned) {
        planned = { id: newId(), name, kinds: new Set() };
        this.tags.push(planned);
        this.plan.report.createdCatalogue.tags++;
      }
      planned.kinds.add(kind);
      return planned.id;
    });
    return ids.sort();
  }

  private regionType(name: string): string {
    const found =
      this.snap.regionTypes.find((t) => t.name === name) ??
      this.regionTypes.find((t) => t.name === name);
    if (found) return found.id;
    const id = newId();
    this.regionTypes.push({ id, name });
    this.plan.report.createdCatalogue.regionTypes++;
    return id;
  }

  planRegions(features: RegionInput[]): void {
    const counts = this.plan.report.regions;
    for (const f of features) {
      const row = this.match(this.regions, f.path, f.properties);
      if (row === undefined) continue;
      const p = f.properties;
      const desired = {
        name: p.name ?? row?.name ?? null,
        externalId: externalIdFor(p.external_id, row),
        polygonJson: JSON.stringify({ type: f.geometry.type, coordinates: f.geometry.coordinates }),
        regionTypeId: this.regionType(p.regionType),
      };
      const tagIds = p.tags === undefined ? (row?.tagIds ?? []) : this.tagIds(p.tags, 'region');
      if (!row) {
        this.rows.regions.create.push({ id: newId(), ...desired, tagIds });
        counts.created++;
        continue;
      }
      const data: RowUpdate['data'] = changes(
        { ...row, polygonJson: normalGeometry(row.polygonJson) },
        desired,
      );
      if (!sameIds(row.tagIds, tagIds)) data.tags = { set: tagIds.map((t) => ({ id: t })) };
      if (Object.keys(data).length) {
        this.rows.regions.update.push({ id: row.id, data });
        counts.updated++;
      } else {
        counts.unchanged++;
      }
    }
  }
}

/** Stored polygons may carry extra members (written by the API); compare type and coordinates. */
function normalGeometry(json: string): string {
  try {
    const g = JSON.parse(json) as { type?: unknown; coordinates?: unknown };
    return JSON.stringify({ type: g.type, coordinates: g.coordinates });
  } catch {
    return json;
  }
}

/** Metres along a line of [lng, lat] positions (great circle per segment). */
function lineLength(line: ReadonlyArray<readonly number[]>): number {
  let total = 0;
  for (let i = 1; i < line.length; i++) {
    const [lng0, lat0] = line[i - 1]!;
    const [lng1, lat1] = line[i]!;
    total += haversineMeters(lat0!, lng0!, lat1!, lng1!);
  }
  return total;
}
