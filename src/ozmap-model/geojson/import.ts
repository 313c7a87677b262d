import { ValidationError } from '../../errors.js';
import type { NetworkChanges } from '../../context.js';
import type { Db } from '../db/client.js';
import { applyPlan } from './apply.js';
import { Planner, type PlanOptions } from './plan.js';
import type { ImportReport } from './plan-types.js';
import { heldPortsAbove, loadSnapshot, loadSplitters, type Tx } from './snapshot.js';
import { inFileOrder, validateFile } from './validate.js';

export interface ImportOptions extends PlanOptions {
  /** Told about changed boxes and regions after the commit, so a running index stays current. */
  network?: NetworkChanges;
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

// A whole network in one transaction: generous limits, SQLite holds its write lock meanwhile.
const TRANSACTION = { timeout: 300_000, maxWait: 30_000 };

/**
 * Imports boxes (with splitters and ports), poles and regions from a GeoJSON FeatureCollection
 * (docs/geojson.md). Everything is checked first and nothing is written unless all of it is
 * valid; then all of it is written in one transaction. Re-importing the same file changes nothing.
 */
export async function importGeoJson(
  db: Db,
  input: unknown,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const file = validateFile(input);
  const plan = await db.$transaction(async (tx) => {
    const planned = await planAll(tx, file, options);
    if (planned.problems.length) throw new GeoJsonImportError(inFileOrder(planned.problems));
    await applyPlan(tx, planned);
    return planned;
  }, TRANSACTION);
  const { regions } = plan.report;
  if (plan.changedBoxIds.size) await options.network?.boxesChanged(plan.changedBoxIds);
  if (regions.created + regions.updated > 0) await options.network?.regionsChanged();
  return plan.report;
}

async function planAll(tx: Tx, file: ReturnType<typeof validateFile>, options: ImportOptions) {
  const snapshot = await loadSnapshot(tx);
  const planner = new Planner(snapshot, file.problems, options);
  planner.planPoles(file.poles);
  const boxes = planner.matchBoxes(file.boxes);
  const splitterExternalIds = file.boxes.flatMap((b) =>
    (b.properties.splitters ?? []).flatMap((s) => (s.external_id ? [s.external_id] : [])),
  );
  const matchedBoxIds = boxes.flatMap((b) => (b.row ? [b.row.id] : []));
  planner.planBoxes(boxes, await loadSplitters(tx, matchedBoxIds, splitterExternalIds));
  planner.planRegions(file.regions);
  for (const shrink of planner.shrinks) {
    const held = await heldPortsAbove(tx, shrink.splitterId, shrink.keep);
    if (!held.length) continue;
    const list = held.map((h) => `${h.port}${h.clientCode ? ` (client ${h.clientCode})` : ''}`);
    planner.plan.problems.push(
      `${shrink.path}.ratio.output: ports above ${shrink.keep} cannot be removed, a property holds port ${list.join(', ')}`,
    );
  }
  return planner.plan;
}
