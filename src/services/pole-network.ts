import type { Logger } from '../logger.js';
import { dbUrl, type Db } from '../ozmap-model/db/client.js';
import { PoleGraph, type BoxSlots, type PoleColumns } from '../viability/index.js';
import { loadPoleColumnsInThread } from './pole-columns-thread.js';
import { loadPoleColumns, loadPoleNeighbourhood, loadPoles } from './pole-loader.js';

const REBUILD_AFTER = 256;
/** From this many poles a full load reads in a worker thread (below, starting the thread costs more than it saves). */
const THREAD_FROM_POLES = 250_000;

export interface PoleNetworkOptions {
  /** Poles from which a full load runs in a worker thread (tests lower it). */
  threadFromPoles?: number;
}

/**
 * Keeps the pole graph (pole-mode viability) in step with the database. Writers report the poles
 * whose position, existence, spans or boxes changed (`polesChanged`); the graph takes the change
 * at once in its overlays and folds them into fresh arrays off the request path. `all` reloads
 * everything (a project's maximum drop size changed, a big import).
 */
export class PoleNetwork {
  private graph: PoleGraph;
  private rebuildScheduled = false;
  private reloading: Promise<void> | undefined;
  private readonly changedDuringReload = new Set<string>();
  private linkTarget: (() => BoxSlots) | undefined;

  private constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    graph: PoleGraph,
    private readonly options: PoleNetworkOptions,
  ) {
    this.graph = graph;
  }

  static async load(
    db: Db,
    logger: Logger,
    options: PoleNetworkOptions = {},
  ): Promise<PoleNetwork> {
    const network = new PoleNetwork(db, logger, PoleGraph.build({ poles: [] }), options);
    await network.reload();
    return network;
  }

  /** The graph searches run on (swapped on rebuild: take it per query). */
  get current(): PoleGraph {
    return this.graph;
  }

  /**
   * Where box slots come from (the viability service's current index): the graph is linked to it
   * after loads and rebuilds, so queries need not link on the request path.
   */
  linkTo(target: () => BoxSlots): void {
    this.linkTarget = target;
    this.graph.link(target());
  }

  /** The index was rebuilt (its slots changed): link the graph to the new one. */
  indexRebuilt(): void {
    if (this.linkTarget) this.graph.link(this.linkTarget());
  }

  async polesChanged(poleIds: Iterable<string> | 'all'): Promise<void> {
    if (poleIds === 'all') return this.reload();
    const ids = [...new Set(poleIds)].filter((id) => typeof id === 'string' && id !== '');
    if (ids.length === 0) return;
    // A reload in flight may have read the database before this change: apply it again after.
    if (this.reloading) for (const id of ids) this.changedDuringReload.add(id);
    const around = await loadPoleNeighbourhood(this.db, ids);
    // A span may lead to a pole the graph has not seen (created alongside): load it too.
    const endpoints = new Set(around.spans.flatMap((s) => [s.from, s.to]));
    const unknown = [...endpoints].filter((id) => !this.graph.has(id) && !ids.includes(id));
    const extra = unknown.length ? await loadPoles(this.db, unknown) : [];
    // From here on synchronous: a rebuild cannot swap the graph halfway through.
    const graph = this.graph;
    for (const id of around.missing) graph.removePole(id);
    for (const pole of [...around.poles, ...extra]) graph.upsertPole(pole);
    graph.replaceSpans(
      around.poles.map((p) => p.id),
      around.spans.filter((s) => graph.has(s.from) && graph.has(s.to)),
    );
    for (const [pole, boxes] of around.boxes) graph.setBoxes(pole, boxes);
    this.scheduleRebuild();
  }

  /** Reloads the whole network (at start, and for changes too wide to apply one by one). */
  async reload(): Promise<void> {
    // Overlapping reload requests share one run: the later one would read the same rows.
    this.reloading ??= (async () => {
      const started = Date.now();
      const graph = PoleGraph.fromColumns(await this.readColumns());
      if (this.linkTarget) graph.link(this.linkTarget());
      this.graph = graph;
      this.logger.info(
        { poles: graph.size, spans: graph.spanCount, ms: Date.now() - started },
        'pole graph built',
      );
    })().finally(() => (this.reloading = undefined));
    await this.reloading;
    const again = [...this.changedDuringReload];
    this.changedDuringReload.clear();
    if (again.length) await this.polesChanged(again);
  }

  private async readColumns(): Promise<PoleColumns> {
    const poles = await this.db.pole.count();
    return poles >= (this.options.threadFromPoles ?? THREAD_FROM_POLES)
      ? loadPoleColumnsInThread(dbUrl(this.db))
      : loadPoleColumns(this.db);
  }

  private scheduleRebuild(): void {
    if (this.rebuildScheduled || this.graph.overlaySize < REBUILD_AFTER) return;
    this.rebuildScheduled = true;
    setImmediate(() => {
      this.rebuildScheduled = false;
      const started = Date.now();
      this.graph = this.graph.rebuild();
      this.logger.debug({ ms: Date.now() - started, poles: this.graph.size }, 'pole graph rebuilt');
    });
  }
}
