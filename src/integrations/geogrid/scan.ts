// A page of Geogrid items carried through: port counts asked in one batched call, our side read
// in a few queries, ports read one by one only for items that are new or changed, the pure
// planner decides, the applier writes, the viability index hears about the boxes changed, the
// run's report gets its items. Shared by the full sync and the webhook deltas.
import type { NetworkChanges } from '../../context.js';
import type { Logger } from '../../logger.js';
import type { Db } from '../../ozmap-model/db/client.js';
import type { GeogridElement } from '../../services/sync-settings.js';
import { documentSpellings } from '../sgp/converters.js';
import type { SyncRunRecorder } from '../sync-runs/store.js';
import { GeogridApplier } from './applier.js';
import type { GeogridClient } from './client.js';
import { documentDigits } from './converters.js';
import { GeogridError } from './errors.js';
import { geogridOrigin, inChunks, localItems, ourClients } from './inventory.js';
import {
  changesSomething,
  needsPorts,
  planPage,
  type LocalItem,
  type PlanContext,
  type RemoteState,
} from './planner.js';
import { describePlan } from './report.js';
import type { RemoteClient, RemoteItem } from './types.js';

export type GeogridApi = Pick<
  GeogridClient,
  | 'itemPages'
  | 'itemsByIds'
  | 'portSummaries'
  | 'itemEquipment'
  | 'clientPages'
  | 'clientById'
  | 'createClient'
  | 'attach'
  | 'pageSize'
>;

export interface ScanDeps {
  db: Db;
  network: NetworkChanges;
  geogrid: GeogridApi;
  integration: string;
  projectId: string;
  elements: ReadonlySet<GeogridElement>;
  now: () => Date;
  logger?: Logger;
  /** Port lists read at once (default 8). */
  concurrency?: number;
}

export interface PreparedPage {
  items: readonly RemoteItem[];
  states: RemoteState[];
  local: Map<string, LocalItem>;
  started: number;
  readMs?: number;
}

export interface PageOutcome {
  /** What this page did, by outcome. */
  counts: Record<string, number>;
  boxIds: number;
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class PageScanner {
  private readonly applier: GeogridApplier;

  constructor(
    private readonly deps: ScanDeps,
    private readonly recorder: SyncRunRecorder,
    private readonly options: {
      dryRun: boolean;
      seenAt: Date;
      signal?: AbortSignal;
      /** Deltas: Geogrid clients on the ports that are not known yet are looked up one by one. */
      lookUpUnknownClients?: boolean;
    },
  ) {
    this.applier = new GeogridApplier(deps.db, {
      integration: deps.integration,
      projectId: deps.projectId,
      now: deps.now,
      seenAt: options.seenAt,
    });
  }

  private get ctx(): PlanContext {
    return { elements: this.deps.elements, projectId: this.deps.projectId, now: this.deps.now() };
  }

  /** Plans and applies one page of items (already read from Geogrid). */
  async page(items: readonly RemoteItem[]): Promise<PageOutcome> {
    return this.commit(await this.prepare(items));
  }

  /**
   * The Geogrid side of a page: port counts, our rows for its items, and the port lists of the
   * items that need them. The full sync prepares a page while the one before it is committed
   * (pages hold different items, so neither sees the other's writes).
   */
  async prepare(items: readonly RemoteItem[]): Promise<PreparedPage> {
    const { deps } = this;
    const started = performance.now();
    const readAt = deps.now();
    if (items.length === 0) return { items, states: [], local: new Map(), started };
    const ids = items.map((i) => i.id);
    const service = await deps.geogrid.portSummaries(ids, true, this.options.signal);
    const distribution = deps.elements.has('distribution-splitters')
      ? await deps.geogrid.portSummaries(ids, false, this.options.signal)
      : null;
    const local = await localItems(deps.db, deps.integration, ids);
    const states: RemoteState[] = items.map((item) => ({
      item,
      summary: {
        service: service.get(item.id) ?? [],
        distribution: distribution ? (distribution.get(item.id) ?? []) : null,
      },
      equipment: null,
      readAt,
    }));
    const ctx = this.ctx;
    const wanted = states.filter((s) => needsPorts(s, local.get(s.item.id), ctx));
    await mapLimit(wanted, deps.concurrency ?? 12, async (s) => {
      try {
        s.equipment = await deps.geogrid.itemEquipment(
          s.item.id,
          { distribution: deps.elements.has('distribution-splitters') },
          this.options.signal,
        );
      } catch (err) {
        // Deleted between the list and the port read: the planner skips it; the next run decides.
        if (!(err instanceof GeogridError && err.code === 'geogrid_not_found')) throw err;
      }
    });
    return { items, states, local, started, readMs: performance.now() - started };
  }

  /** Plans a prepared page and applies it; the viability index hears about it before the next. */
  async commit(prepared: PreparedPage): Promise<PageOutcome> {
    const { deps, recorder } = this;
    const { items, states, local } = prepared;
    const counts: Record<string, number> = {};
    const add = (item: Parameters<SyncRunRecorder['add']>[0]) => {
      counts[item.outcome] = (counts[item.outcome] ?? 0) + 1;
      recorder.add(item);
    };
    recorder.bump('items', items.length);
    if (items.length === 0) return { counts, boxIds: 0 };
    const committing = performance.now();
    recorder.bump('portsRead', states.filter((s) => s.equipment !== null).length);
    const portClients = [
      ...new Set(
        states.flatMap((s) =>
          (s.equipment ?? []).flatMap((e) =>
            e.outputs.flatMap((p) => (p.client ? [p.client.id] : [])),
          ),
        ),
      ),
    ];
    if (this.options.lookUpUnknownClients && !this.options.dryRun)
      await this.lookUp(portClients, local);
    const ours = await ourClients(deps.db, deps.integration, portClients);
    const plan = planPage(states, { items: local, ours }, this.ctx);
    recorder.bump('ignored', plan.ignored);
    recorder.bump('unchanged', plan.unchanged.length);
    for (const p of plan.plans)
      if (p.kind === 'update' && !changesSomething(p)) recorder.bump('unchanged');
    if (this.options.dryRun) {
      for (const p of plan.plans) describePlan(p, 'dry').forEach(add);
      return { counts, boxIds: 0 };
    }
    const applied = await this.applier.apply(plan.plans, plan.unchanged);
    applied.items.forEach(add);
    if (applied.stale) recorder.bump('stale', applied.stale);
    // After commit, before the next page: the next viability query sees this page's changes.
    if (applied.boxIds.size) await deps.network.boxesChanged(applied.boxIds);
    deps.logger?.debug(
      {
        integration: deps.integration,
        items: items.length,
        readMs: Math.round(prepared.readMs ?? 0),
        commitMs: Math.round(performance.now() - committing),
      },
      'geogrid page',
    );
    return { counts, boxIds: applied.boxIds.size };
  }

  /** Geogrid clients on the ports that no hold or link names yet: looked up and matched. */
  private async lookUp(
    clientIds: readonly string[],
    local: Awaited<ReturnType<typeof localItems>>,
  ): Promise<void> {
    const held = new Set<string>();
    for (const item of local.values()) {
      for (const s of item.box?.splitters ?? []) {
        for (const h of s.holders) if (h.hold) held.add(h.hold.geogridClientId);
      }
    }
    const known = new Set(
      (
        await inChunks(clientIds, (chunk) =>
          this.deps.db.geogridClient.findMany({
            where: { integration: this.deps.integration, geogridClientId: { in: chunk } },
            select: { geogridClientId: true },
          }),
        )
      ).map((r) => r.geogridClientId),
    );
    const unknown = clientIds.filter((id) => !held.has(id) && !known.has(id)).slice(0, 200);
    const found = await mapLimit(unknown, 4, (id) =>
      this.deps.geogrid.clientById(id, this.options.signal),
    );
    await matchClients(
      this.deps.db,
      this.deps.integration,
      found.filter((c): c is RemoteClient => c !== null),
    );
  }
}

/**
 * Geogrid clients that are ours: `observacao` holds our client id (and the CPF/CNPJ, when both
 * sides have one, agrees), or no id is written and exactly one client here has that CPF/CNPJ.
 * Each match is recorded (GeogridClient); returns how many were new or changed.
 */
export async function matchClients(
  db: Db,
  integration: string,
  clients: readonly RemoteClient[],
  options: { dryRun?: boolean } = {},
): Promise<{ matched: number; mismatched: Array<{ geogridClientId: string; clientId: string }> }> {
  const withId = clients.filter((c) => c.ourId);
  const byId = new Map(
    (
      await inChunks(
        withId.map((c) => c.ourId!),
        (chunk) =>
          db.ftthClient.findMany({
            where: { id: { in: chunk } },
            select: { id: true, document: true },
          }),
      )
    ).map((c) => [c.id, c]),
  );
  const byDocument = new Map<string, string[]>();
  const docs = clients.filter((c) => !c.ourId && c.document).map((c) => c.document!);
  const origin = geogridOrigin(integration);
  for (const row of await inChunks(docs.flatMap(documentSpellings), (chunk) =>
    db.ftthClient.findMany({
      where: {
        document: { in: chunk },
        OR: [{ reservedBy: null }, { reservedBy: { not: origin } }],
      },
      select: { id: true, document: true },
    }),
  )) {
    const d = documentDigits(row.document);
    if (!d) continue;
    byDocument.set(d, [...(byDocument.get(d) ?? []), row.id]);
  }
  const matches: Array<{ geogridClientId: string; clientId: string; matchedBy: string }> = [];
  const mismatched: Array<{ geogridClientId: string; clientId: string }> = [];
  for (const c of clients) {
    if (c.ourId) {
      const ours = byId.get(c.ourId);
      if (!ours) continue;
      const mine = documentDigits(ours.document);
      if (c.document && mine && c.document !== mine) {
        mismatched.push({ geogridClientId: c.id, clientId: ours.id });
        continue;
      }
      matches.push({ geogridClientId: c.id, clientId: ours.id, matchedBy: 'observacao' });
    } else if (c.document) {
      const candidates = byDocument.get(c.document) ?? [];
      if (candidates.length === 1)
        matches.push({ geogridClientId: c.id, clientId: candidates[0]!, matchedBy: 'document' });
    }
  }
  if (matches.length === 0) return { matched: 0, mismatched };
  const existing = new Map(
    (
      await inChunks(
        matches.map((m) => m.clientId),
        (chunk) =>
          db.geogridClient.findMany({
            where: { integration, clientId: { in: chunk } },
            select: { clientId: true, geogridClientId: true },
          }),
      )
    ).map((r) => [r.clientId, r.geogridClientId]),
  );
  const changed = matches.filter((m) => existing.get(m.clientId) !== m.geogridClientId);
  if (options.dryRun) return { matched: changed.length, mismatched };
  for (const m of changed) {
    await db.$transaction(async (tx) => {
      // One Geogrid client stands for one of ours: an older link to another of ours is dropped.
      await tx.geogridClient.updateMany({
        where: { integration, geogridClientId: m.geogridClientId, NOT: { clientId: m.clientId } },
        data: { geogridClientId: null },
      });
      await tx.geogridClient.upsert({
        where: { integration_clientId: { integration, clientId: m.clientId } },
        create: {
          integration,
          clientId: m.clientId,
          geogridClientId: m.geogridClientId,
          matchedBy: m.matchedBy,
        },
        update: { geogridClientId: m.geogridClientId, matchedBy: m.matchedBy },
      });
    });
  }
  return { matched: changed.length, mismatched };
}
