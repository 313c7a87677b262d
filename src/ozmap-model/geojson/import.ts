import { ValidationError } from '../../errors.js';
import type { NetworkChanges } from '../../context.js';
import { POLE_PREFIX, withChangeLogSuspended } from '../db/change-log.js';
import type { Db } from '../db/client.js';
import { withRawSession, type RawSession } from '../db/raw.js';
import { noProgress, type Progress } from '../progress.js';
import { applyWrites } from './apply.js';
import { Planner, type PlanOptions } from './plan.js';
import type { ImportReport, Plan } from './plan-types.js';
import { readFeatures, type GeoJsonSource, type RawFeature } from './read.js';
import { heldPortsAbove, loadSnapshot, loadSplitters, type Snapshot } from './snapshot.js';
import { emptyBatch, FileValidator, inFileOrder, type ValidatedBatch } from './validate.js';

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
  /** Features checked, planned and written together (default 5 000); tests make it small. */
  stretch?: number;
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
 * (docs/geojson.md), all of it in one transaction: nothing is kept unless every feature is valid.
 * Re-importing the same file changes nothing.
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
  // One transaction on a connection of its own, with no timeout: a killed import leaves the
  // database as it was, and readers (a starting server) see it before or after, never half. The
  // file is read, checked and written a stretch at a time inside it; a problem anywhere stops the
  // writing, the rest is still checked so every problem is reported, and nothing is kept.
  const plan = await withRawSession(db, 'write', async (s) => {
    const run = new ImportRun(s, await loadSnapshot(s), options);
    const write = async () => {
      const shape = await readFeatures(
        source,
        options.stretch ?? STRETCH,
        (f) => run.add(f),
        progress,
      );
      if (shape.unreadable) throw new GeoJsonImportError(shape.problems);
      await run.finish();
      const problems = [...shape.problems, ...run.plan.problems];
      if (problems.length) throw new GeoJsonImportError(inFileOrder(problems));
    };
    if (options.changeLog === 'triggers') await write();
    else await withChangeLogSuspended(s, () => changeKeys(run.plan), write);
    return run.plan;
  });
  const { regions } = plan.report;
  if (plan.changedBoxIds.size) await options.network?.boxesChanged(plan.changedBoxIds);
  if (regions.created + regions.updated > 0) await options.network?.regionsChanged();
  // Many changed poles: one reload of the pole graph beats thousands of neighbourhood reads.
  const poles = plan.changedPoleIds;
  if (poles.size) await options.network?.polesChanged(poles.size > 2_000 ? 'all' : poles);
  return plan.report;
}

// Features planned and written together: the import holds about this many at once, whatever the
// file's size (5 000 boxes of two 1x16 splitters are ~160 000 port rows, a few MB).
const STRETCH = 5_000;

function* changeKeys(plan: Plan): Iterable<string> {
  yield* plan.changedBoxIds;
  for (const id of plan.changedPoleIds) yield `${POLE_PREFIX}${id}`;
}

/** Splits `items` into those `ready` says yes to, and the rest. */
function partition<T>(items: T[], ready: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (ready(item) ? yes : no).push(item);
  return [yes, no];
}

/** One import in progress: each stretch of features is checked, planned and (while no problem was found) written. */
class ImportRun {
  private readonly validator = new FileValidator();
  private readonly planner: Planner;
  /** Spans and boxes naming a pole further down the file, planned at the end. */
  private deferred: ValidatedBatch = emptyBatch();
  private readonly now = new Date();
  private readonly snapshotHasSplitterExternalIds: boolean;

  constructor(
    private readonly s: RawSession,
    snapshot: Snapshot,
    options: PlanOptions,
  ) {
    this.planner = new Planner(snapshot, this.validator.problems, options);
    this.snapshotHasSplitterExternalIds = snapshot.splitterExternalIds;
  }

  get plan(): Plan {
    return this.planner.plan;
  }

  async add(features: RawFeature[]): Promise<void> {
    const batch = emptyBatch();
    for (const f of features) this.validator.add(f.value, f.index, batch);
    await this.planStretch(batch, true);
  }

  async finish(): Promise<void> {
    const last = this.deferred;
    this.deferred = emptyBatch();
    await this.planStretch(last, false);
  }

  private async planStretch(batch: ValidatedBatch, mayWait: boolean): Promise<void> {
    const { planner, s } = this;
    const known = (ref: string | null | undefined) => !mayWait || !ref || planner.knowsPole(ref);
    planner.planPoles(batch.poles);
    const [spans, laterSpans] = partition(batch.spans, (f) => f.properties.poles.every(known));
    const [boxes, laterBoxes] = partition(batch.boxes, (f) => known(f.properties.pole));
    this.deferred.spans.push(...laterSpans);
    this.deferred.boxes.push(...laterBoxes);
    planner.planSpans(spans);
    const matches = planner.matchBoxes(boxes);
    const splitterExternalIds = this.snapshotHasSplitterExternalIds
      ? boxes.flatMap((b) =>
          (b.properties.splitters ?? []).flatMap((sp) => (sp.external_id ? [sp.external_id] : [])),
        )
      : [];
    const matchedBoxIds = matches.flatMap((b) => (b.row ? [b.row.id] : []));
    planner.planBoxes(matches, await loadSplitters(s, matchedBoxIds, splitterExternalIds));
    planner.planRegions(batch.regions);
    for (const shrink of planner.shrinks) {
      const held = await heldPortsAbove(s, shrink.splitterId, shrink.keep);
      if (!held.length) continue;
      const list = held.map((h) => `${h.port}${h.clientCode ? ` (client ${h.clientCode})` : ''}`);
      this.plan.problems.push(
        `${shrink.path}.ratio.output: ports above ${shrink.keep} cannot be removed, a property holds port ${list.join(', ')}`,
      );
    }
    const writes = planner.drain();
    if (!this.plan.problems.length) await applyWrites(s, writes, this.now);
  }
}
