import { ValidationError } from '../../errors.js';
import type { NetworkChanges } from '../../context.js';
import { POLE_PREFIX, withChangeLogSuspended } from '../db/change-log.js';
import type { Db } from '../db/client.js';
import { withRawSession, type RawSession } from '../db/raw.js';
import { noProgress, type Progress } from '../progress.js';
import { applyPlan } from './apply.js';
import { Planner, type PlanOptions } from './plan.js';
import type { ImportReport, Plan } from './plan-types.js';
import { readGeoJson, type GeoJsonSource } from './read.js';
import { heldPortsAbove, loadSnapshot, loadSplitters } from './snapshot.js';
import { inFileOrder, type ValidatedFile } from './validate.js';

export interface ImportOptions extends PlanOptions {
  /** Told about changed boxes, poles and regions after the commit, so a running index stays current. */
  network?: NetworkChanges;
  progress?: Progress;
  /**
   * How other instances learn of the changes: 'bulk' (the default) suspends the per-row
   * change-log triggers and logs each changed box and pole once (SQLite; see
   * withChangeLogSuspended); 'triggers' leaves them on, row by row.
   */
  changeLog?: 'bulk' | 'triggers';
}

/** The file cannot be imported; `problems` lists every reason, each with its place in the file. */
export class GeoJsonImportError extends ValidationError {
  constructor(readonly problems: string[]) {
    super(
      `GeoJSON not imported, ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((p) => `  - ${p}`)
        .join('\n')}`,
    );
  }
}

/**
 * Imports boxes (with splitters and ports), poles, spans and regions from a GeoJSON FeatureCollection
 * (docs/geojson.md). Everything is checked first and nothing is written unless all of it is
 * valid; then all of it is written in one transaction. Re-importing the same file changes nothing.
 */
export async function importGeoJson(
  db: Db,
  input: unknown,
  options: ImportOptions = {},
): Promise<ImportReport> {
  return importFrom(db, { document: input }, options);
}

/** importGeoJson for a file, streamed: the file is never in memory as text or as one document. */
export async function importGeoJsonFile(
  db: Db,
  path: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  return importFrom(db, { path }, options);
}

async function importFrom(
  db: Db,
  source: GeoJsonSource,
  options: ImportOptions,
): Promise<ImportReport> {
  const progress = options.progress ?? noProgress;
  const file = await readGeoJson(source, progress);
  // One transaction on a connection of its own, with no timeout: a killed import leaves the
  // database as it was, and readers (a starting server) see it before or after, never half.
  const plan = await withRawSession(db, 'write', async (s) => {
    progress.phase('matching', undefined, 'features');
    const planned = await planAll(s, file, options);
    progress.end();
    if (planned.problems.length) throw new GeoJsonImportError(inFileOrder(planned.problems));
    if (options.changeLog === 'triggers') await applyPlan(s, planned, progress);
    else
      await withChangeLogSuspended(
        s,
        () => changeKeys(planned),
        () => applyPlan(s, planned, progress),
      );
    return planned;
  });
  const { regions } = plan.report;
  if (plan.changedBoxIds.size) await options.network?.boxesChanged(plan.changedBoxIds);
  if (regions.created + regions.updated > 0) await options.network?.regionsChanged();
  // Many changed poles: one reload of the pole graph beats thousands of neighbourhood reads.
  const poles = plan.changedPoleIds;
  if (poles.size) await options.network?.polesChanged(poles.size > 2_000 ? 'all' : poles);
  return plan.report;
}

function* changeKeys(plan: Plan): Iterable<string> {
  yield* plan.changedBoxIds;
  for (const id of plan.changedPoleIds) yield `${POLE_PREFIX}${id}`;
}

async function planAll(s: RawSession, file: ValidatedFile, options: ImportOptions) {
  const snapshot = await loadSnapshot(s);
  const planner = new Planner(snapshot, file.problems, options);
  planner.planPoles(file.poles);
  planner.planSpans(file.spans);
  const boxes = planner.matchBoxes(file.boxes);
  const splitterExternalIds = file.boxes.flatMap((b) =>
    (b.properties.splitters ?? []).flatMap((s) => (s.external_id ? [s.external_id] : [])),
  );
  const matchedBoxIds = boxes.flatMap((b) => (b.row ? [b.row.id] : []));
  planner.planBoxes(boxes, await loadSplitters(s, matchedBoxIds, splitterExternalIds));
  planner.planRegions(file.regions);
  for (const shrink of planner.shrinks) {
    const held = await heldPortsAbove(s, shrink.splitterId, shrink.keep);
    if (!held.length) continue;
    const list = held.map((h) => `${h.port}${h.clientCode ? ` (client ${h.clientCode})` : ''}`);
    planner.plan.problems.push(
      `${shrink.path}.ratio.output: ports above ${shrink.keep} cannot be removed, a property holds port ${list.join(', ')}`,
    );
  }
  return planner.plan;
}
