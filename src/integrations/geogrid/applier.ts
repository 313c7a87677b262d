// Carries out a page's plans in one transaction, in phases (ports freed, then clients moved, then
// new boxes written in bulk, then the rest), so a page of 500 new boxes costs a handful of
// statements. When the page's transaction fails, each item is applied in its own transaction and
// the one that fails is reported: nothing is half-applied, and the next run retries it.
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import { isUniqueViolation, type Db, type Tx } from '../../ozmap-model/db/client.js';
import { chunked } from '../../ozmap-model/db/chunks.js';
import { refreshPlannerStatsOf } from '../../ozmap-model/db/planner-stats.js';
import type { SyncRunItemInput } from '../sync-runs/store.js';
import { geogridOrigin, holdCode } from './inventory.js';
import { insertRows } from './bulk.js';
import type { HoldSpec, ItemPlan, MoveSpec, PortPlan, SplitterPlan } from './planner.js';
import { describePlan } from './report.js';

export interface ApplyContext {
  integration: string;
  projectId: string;
  now: () => Date;
  /** The run's start: items written by it are marked seen by it. */
  seenAt: Date;
}

export interface AppliedPage {
  items: SyncRunItemInput[];
  /** Boxes whose geometry, splitters, ports or holders changed: the viability index reloads them. */
  boxIds: Set<string>;
  /** Plans dropped because a newer Geogrid read (a notification) was applied meanwhile. */
  stale: number;
}

const TX_OPTIONS = { maxWait: 30_000, timeout: 120_000 };

/** A failure that belongs to one item (reported, the run goes on), not to the run. */
export function itemFailure(err: unknown): { reason: string; message: string } | undefined {
  if (isUniqueViolation(err)) {
    return {
      reason: 'written_meanwhile',
      message: 'another writer took one of its ports at the same moment; the next run retries',
    };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'P2025' || code === 'P2003') {
    return {
      reason: 'changed_meanwhile',
      message: 'a record changed meanwhile; the next run retries',
    };
  }
  if (err instanceof AppError && err.status < 500)
    return { reason: 'invalid', message: err.message };
  return undefined;
}

export class GeogridApplier {
  private readonly typeIds = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly ctx: ApplyContext,
  ) {}

  /** Applies a page's plans and marks its unchanged items seen. */
  async apply(plans: readonly ItemPlan[], unchanged: readonly string[]): Promise<AppliedPage> {
    await this.ensureSplitterTypes(plans);
    const out: AppliedPage = { items: [], boxIds: new Set(), stale: 0 };
    const writes = plans.filter((p) => p.kind !== 'skip');
    for (const p of plans) {
      if (p.kind === 'skip')
        out.items.push({
          itemId: p.itemId,
          outcome: 'skipped',
          reason: p.reason,
          message: p.message,
        });
    }
    // Skipped items stay as they were, but they were seen: the sweep must not look for them.
    const seen = [...unchanged, ...plans.filter((p) => p.kind === 'skip').map((p) => p.itemId)];
    if (seen.length) await this.touch(seen);
    if (writes.length === 0) return out;
    try {
      const done = await this.db.$transaction((tx) => this.applyAll(tx, writes), TX_OPTIONS);
      merge(out, done);
      // The first sync grows the inventory from nothing: keep the next pages' plans right.
      await refreshPlannerStatsOf(this.db);
      return out;
    } catch (err) {
      if (writes.length === 1) {
        const failure = itemFailure(err);
        if (!failure) throw err;
        out.items.push({ itemId: writes[0]!.itemId, outcome: 'error', ...failure });
        return out;
      }
    }
    for (const plan of writes) {
      try {
        merge(out, await this.db.$transaction((tx) => this.applyAll(tx, [plan]), TX_OPTIONS));
      } catch (err) {
        const failure = itemFailure(err);
        if (!failure) throw err;
        out.items.push({ itemId: plan.itemId, outcome: 'error', ...failure });
      }
    }
    return out;
  }

  private async touch(itemIds: readonly string[]): Promise<void> {
    for (let i = 0; i < itemIds.length; i += 500) {
      await this.db.geogridItem.updateMany({
        where: { integration: this.ctx.integration, itemId: { in: itemIds.slice(i, i + 500) } },
        data: { seenAt: this.ctx.seenAt },
      });
    }
  }

  private async applyAll(tx: Tx, input: readonly ItemPlan[]): Promise<AppliedPage> {
    const out: AppliedPage = { items: [], boxIds: new Set(), stale: 0 };
    const plans = await this.fresh(tx, input, out);
    // Phase 1: ports freed (holds removed, vacant properties taken off, ports dropped), items gone.
    for (const plan of plans) {
      if (plan.kind === 'remove') await this.remove(tx, plan, out);
      else if (plan.kind === 'keep') await this.keep(tx, plan, out);
      else if (plan.kind !== 'skip') for (const s of plan.splitters) await this.freePorts(tx, s);
    }
    // Phase 2: new boxes, poles and splitters in bulk.
    const created = await this.createItems(
      tx,
      plans.filter((p): p is Extract<ItemPlan, { kind: 'create' }> => p.kind === 'create'),
    );
    // Phase 3: per item, what remains (box fields, splitter changes, moves, holds, bookkeeping).
    const holds: Array<{ boxId: string; splitterId: string; hold: HoldSpec }> = [];
    for (const plan of plans) {
      if (plan.kind === 'create') {
        const made = created.get(plan.itemId)!;
        for (const [i, s] of plan.splitters.entries()) {
          if (s.kind !== 'create') continue;
          const splitterId = made.splitterIds[i]!;
          // The page's new holds are written together below; the rest per splitter.
          for (const h of s.ports.createHolds)
            holds.push({ boxId: made.boxId, splitterId, hold: h });
          await this.fillPorts(tx, made.boxId, splitterId, { ...s.ports, createHolds: [] }, out);
        }
        out.boxIds.add(made.boxId);
        out.items.push(...describePlan(plan, 'applied'));
      } else if (plan.kind === 'update') {
        await this.update(tx, plan, out);
      }
    }
    await this.createHolds(tx, holds);
    return out;
  }

  /** Drops create/update plans older than what was applied since they were read. */
  private async fresh(tx: Tx, plans: readonly ItemPlan[], out: AppliedPage): Promise<ItemPlan[]> {
    const timed = plans.filter((p) => p.kind === 'create' || p.kind === 'update');
    if (timed.length === 0) return [...plans];
    const rows = await tx.geogridItem.findMany({
      where: { integration: this.ctx.integration, itemId: { in: timed.map((p) => p.itemId) } },
      select: { itemId: true, readAt: true },
    });
    const readAt = new Map(rows.map((r) => [r.itemId, r.readAt.getTime()]));
    return plans.filter((p) => {
      if (p.kind !== 'create' && p.kind !== 'update') return true;
      const applied = readAt.get(p.itemId);
      if (applied !== undefined && applied > p.readAt.getTime()) {
        out.stale++;
        return false;
      }
      return true;
    });
  }

  private async ensureSplitterTypes(plans: readonly ItemPlan[]): Promise<void> {
    const ratios = new Set<number>();
    for (const p of plans) {
      if (p.kind !== 'create' && p.kind !== 'update') continue;
      for (const s of p.splitters) if (s.kind === 'create') ratios.add(Math.max(1, s.outputs));
    }
    for (const ratio of ratios) {
      const code = `1x${ratio}`;
      if (this.typeIds.has(code)) continue;
      let found = await this.db.splitterType.findUnique({ where: { code }, select: { id: true } });
      if (!found) {
        try {
          found = await this.db.splitterType.create({
            data: {
              id: newId(),
              code,
              ratioOut: ratio,
              isDrop: true,
              description: 'Splitter 1x' + ratio,
            },
            select: { id: true },
          });
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          found = await this.db.splitterType.findUniqueOrThrow({
            where: { code },
            select: { id: true },
          });
        }
      }
      this.typeIds.set(code, found.id);
    }
  }

  private typeId(outputs: number): string {
    const id = this.typeIds.get(`1x${Math.max(1, outputs)}`);
    if (!id) throw new Error(`splitter type 1x${outputs} was not prepared`);
    return id;
  }

  private async createItems(
    tx: Tx,
    plans: Array<Extract<ItemPlan, { kind: 'create' }>>,
  ): Promise<Map<string, { boxId: string; splitterIds: string[] }>> {
    const made = new Map<string, { boxId: string; splitterIds: string[] }>();
    if (plans.length === 0) return made;
    const { integration, projectId } = this.ctx;
    const now = this.ctx.now().getTime();
    const poles = [];
    const boxes = [];
    const splitters = [];
    const ports = [];
    const items = [];
    const links = [];
    for (const p of plans) {
      const boxId = newId(now);
      const poleId = p.pole ? newId(now) : null;
      if (p.pole) {
        poles.push({
          id: poleId!,
          name: p.pole.name,
          projectId,
          lat: p.pole.lat,
          lng: p.pole.lng,
          observation: p.pole.observation,
        });
      }
      boxes.push({
        id: boxId,
        name: p.box.name,
        projectId,
        lat: p.box.lat,
        lng: p.box.lng,
        draft: p.box.draft,
        implanted: !p.box.draft,
        observation: p.box.observation,
        poleId,
      });
      const splitterIds: string[] = [];
      for (const s of p.splitters) {
        if (s.kind !== 'create') continue;
        const id = newId(now);
        splitterIds.push(id);
        splitters.push({
          id,
          name: s.name,
          boxId,
          projectId,
          splitterTypeId: this.typeId(s.outputs),
          implanted: !p.box.draft,
          isDrop: s.isDrop,
          ratioIn: Math.max(1, s.inputs),
          ratioOut: s.outputs,
          label: s.name ?? '',
        });
        // only a port with something of its own (here: blocked) has a row
        for (const i of s.ports.block) {
          if (i >= 1 && i <= s.outputs) ports.push({ splitterId: id, index: i, blocked: true });
        }
        links.push({
          integration,
          equipmentId: s.equipmentId,
          itemId: p.itemId,
          splitterId: id,
          service: s.isDrop,
          reservedJson: JSON.stringify(s.ports.block),
        });
      }
      items.push({
        integration,
        itemId: p.itemId,
        kind: p.itemKind,
        boxId,
        poleId,
        fingerprint: p.fingerprint,
        readAt: p.readAt,
        seenAt: this.ctx.seenAt,
        portsAt: p.portsRead ? p.readAt : null,
        state: 'synced',
      });
      made.set(p.itemId, { boxId, splitterIds });
    }
    // Rows left by an earlier sync whose box was deleted here: replaced.
    await tx.geogridItem.deleteMany({
      where: { integration, itemId: { in: items.map((i) => i.itemId) } },
    });
    // A page of 500 items may hold thousands of equipment: statements stay small (issue 9).
    for (const chunk of chunked(links.map((l) => l.equipmentId))) {
      await tx.geogridSplitter.deleteMany({ where: { integration, equipmentId: { in: chunk } } });
    }
    const at = this.ctx.now();
    await insertRows(
      tx,
      'Pole',
      ['id', 'name', 'projectId', 'lat', 'lng', 'observation', 'createdAt', 'updatedAt'],
      poles.map((p) => [p.id, p.name, p.projectId, p.lat, p.lng, p.observation, at, at]),
    );
    await insertRows(
      tx,
      'Box',
      [
        'id',
        'name',
        'projectId',
        'lat',
        'lng',
        'draft',
        'implanted',
        'observation',
        'poleId',
        'createdAt',
        'updatedAt',
      ],
      boxes.map((b) => [
        b.id,
        b.name,
        b.projectId,
        b.lat,
        b.lng,
        b.draft,
        b.implanted,
        b.observation,
        b.poleId,
        at,
        at,
      ]),
    );
    await insertRows(
      tx,
      'Splitter',
      [
        'id',
        'name',
        'boxId',
        'projectId',
        'splitterTypeId',
        'implanted',
        'isDrop',
        'ratioIn',
        'ratioOut',
        'label',
        'createdAt',
        'updatedAt',
      ],
      splitters.map((x) => [
        x.id,
        x.name,
        x.boxId,
        x.projectId,
        x.splitterTypeId,
        x.implanted,
        x.isDrop,
        x.ratioIn,
        x.ratioOut,
        x.label,
        at,
        at,
      ]),
    );
    await insertRows(
      tx,
      'SplitterPort',
      ['splitterId', 'index', 'blocked'],
      ports.map((p) => [p.splitterId, p.index, p.blocked]),
    );
    await insertRows(
      tx,
      'GeogridItem',
      [
        'integration',
        'itemId',
        'kind',
        'boxId',
        'poleId',
        'fingerprint',
        'readAt',
        'seenAt',
        'portsAt',
        'state',
        'createdAt',
        'updatedAt',
      ],
      items.map((i) => [
        i.integration,
        i.itemId,
        i.kind,
        i.boxId,
        i.poleId,
        i.fingerprint,
        i.readAt,
        i.seenAt,
        i.portsAt,
        i.state,
        at,
        at,
      ]),
    );
    await insertRows(
      tx,
      'GeogridSplitter',
      ['integration', 'equipmentId', 'itemId', 'splitterId', 'service', 'reservedJson'],
      links.map((l) => [
        l.integration,
        l.equipmentId,
        l.itemId,
        l.splitterId,
        l.service,
        l.reservedJson,
      ]),
    );
    return made;
  }

  /** Phase 1 for a splitter of an updated item. */
  private async freePorts(tx: Tx, s: SplitterPlan): Promise<void> {
    const holds = s.kind === 'remove' ? s.removeHolds : s.ports.removeHolds;
    await this.deleteHolds(tx, holds);
    if (s.kind === 'remove') return;
    if (s.ports.detachVacant.length) {
      await tx.property.updateMany({
        where: { id: { in: s.ports.detachVacant } },
        data: { splitterId: null, port: null },
      });
    }
  }

  private async deleteHolds(
    tx: Tx,
    holds: ReadonlyArray<{ clientId: string; propertyId: string }>,
  ): Promise<void> {
    for (const chunk of chunked(holds)) {
      await tx.property.deleteMany({ where: { id: { in: chunk.map((h) => h.propertyId) } } });
      await tx.ftthClient.deleteMany({
        where: {
          id: { in: chunk.map((h) => h.clientId) },
          reservedBy: geogridOrigin(this.ctx.integration),
        },
      });
    }
  }

  /** Phase 3 for a splitter's ports: moves, holds, blocks, and the links confirmed. */
  private async fillPorts(
    tx: Tx,
    boxId: string,
    splitterId: string,
    p: PortPlan,
    out: AppliedPage,
  ): Promise<void> {
    for (const m of p.moves) await this.move(tx, boxId, splitterId, m, out);
    if (p.createHolds.length) {
      await this.createHolds(
        tx,
        p.createHolds.map((hold) => ({ boxId, splitterId, hold })),
      );
    }
    for (const h of p.updateHolds) {
      await tx.ftthClient.update({
        where: { id: h.clientId },
        data: {
          name: h.name,
          reservationMetaJson: JSON.stringify({
            geogridClientId: h.geogridClientId,
            geogridPortId: h.geogridPortId,
          }),
        },
      });
    }
    for (const a of p.attached) {
      const data = {
        geogridClientId: a.geogridClientId,
        pushStatus: 'attached',
        pushedSplitterId: splitterId,
        pushedPort: a.port,
        lastError: null,
        nextAttemptAt: null,
      };
      await tx.geogridClient.upsert({
        where: {
          integration_clientId: { integration: this.ctx.integration, clientId: a.clientId },
        },
        create: {
          integration: this.ctx.integration,
          clientId: a.clientId,
          matchedBy: 'observacao',
          ...data,
        },
        update: data,
      });
    }
  }

  private async move(
    tx: Tx,
    boxId: string,
    splitterId: string,
    m: MoveSpec,
    out: AppliedPage,
  ): Promise<void> {
    if (m.propertyId) {
      await tx.property.update({
        where: { id: m.propertyId },
        data: { boxId, splitterId, port: m.port },
      });
    } else {
      await tx.property.create({
        data: {
          id: newId(this.ctx.now().getTime()),
          projectId: this.ctx.projectId,
          clientId: m.clientId,
          boxId,
          splitterId,
          port: m.port,
        },
      });
    }
    if (m.fromBoxId) out.boxIds.add(m.fromBoxId);
  }

  private async createHolds(
    tx: Tx,
    holds: ReadonlyArray<{ boxId: string; splitterId: string; hold: HoldSpec }>,
  ): Promise<void> {
    if (holds.length === 0) return;
    const now = this.ctx.now().getTime();
    const origin = geogridOrigin(this.ctx.integration);
    const clients = holds.map(({ hold: h }) => ({
      id: newId(now),
      code: holdCode(this.ctx.integration, h.geogridPortId),
      name: h.name,
      implanted: true,
      reservedBy: origin,
      reservationMetaJson: JSON.stringify({
        geogridClientId: h.geogridClientId,
        geogridPortId: h.geogridPortId,
      }),
      observation: `Cliente do Geogrid (id ${h.geogridClientId}): porta ocupada no Geogrid`,
    }));
    // A hold left for the same Geogrid port elsewhere (its box was rebuilt): replaced.
    const codes = clients.map((c) => c.code);
    for (let i = 0; i < codes.length; i += 500) {
      const stale = await tx.ftthClient.findMany({
        where: { code: { in: codes.slice(i, i + 500) } },
        select: { id: true },
      });
      if (stale.length === 0) continue;
      await tx.property.deleteMany({ where: { clientId: { in: stale.map((s) => s.id) } } });
      await tx.ftthClient.deleteMany({
        where: { id: { in: stale.map((s) => s.id) }, reservedBy: origin },
      });
    }
    const at = this.ctx.now();
    await insertRows(
      tx,
      'FtthClient',
      [
        'id',
        'code',
        'name',
        'implanted',
        'reservedBy',
        'reservationMetaJson',
        'observation',
        'createdAt',
        'updatedAt',
      ],
      clients.map((c) => [
        c.id,
        c.code,
        c.name,
        c.implanted,
        c.reservedBy,
        c.reservationMetaJson,
        c.observation,
        at,
        at,
      ]),
    );
    await insertRows(
      tx,
      'Property',
      ['id', 'projectId', 'clientId', 'boxId', 'splitterId', 'port', 'createdAt', 'updatedAt'],
      holds.map((h, i) => [
        newId(now),
        this.ctx.projectId,
        clients[i]!.id,
        h.boxId,
        h.splitterId,
        h.hold.port,
        at,
        at,
      ]),
    );
  }

  private async update(
    tx: Tx,
    plan: Extract<ItemPlan, { kind: 'update' }>,
    out: AppliedPage,
  ): Promise<void> {
    const { integration } = this.ctx;
    if (Object.keys(plan.box).length) {
      await tx.box.update({
        where: { id: plan.boxId },
        data: {
          ...plan.box,
          ...(plan.box.draft !== undefined ? { implanted: !plan.box.draft } : {}),
        },
      });
    }
    if (plan.poleId && Object.keys(plan.pole).length) {
      const { name, lat, lng, observation } = plan.pole;
      await tx.pole.update({ where: { id: plan.poleId }, data: { name, lat, lng, observation } });
    }
    const box = await tx.box.findUniqueOrThrow({
      where: { id: plan.boxId },
      select: { projectId: true, draft: true },
    });
    for (const s of plan.splitters) {
      if (s.kind === 'create') {
        const id = newId(this.ctx.now().getTime());
        await tx.splitter.create({
          data: {
            id,
            name: s.name,
            boxId: plan.boxId,
            projectId: box.projectId,
            splitterTypeId: this.typeId(s.outputs),
            implanted: !box.draft,
            isDrop: s.isDrop,
            ratioIn: Math.max(1, s.inputs),
            ratioOut: s.outputs,
            label: s.name ?? '',
          },
        });
        const blocked = s.ports.block.filter((i) => i >= 1 && i <= s.outputs);
        if (blocked.length) {
          await tx.splitterPort.createMany({
            data: blocked.map((index) => ({ splitterId: id, index, blocked: true })),
          });
        }
        await tx.geogridSplitter.deleteMany({ where: { integration, equipmentId: s.equipmentId } });
        await tx.geogridSplitter.create({
          data: {
            integration,
            equipmentId: s.equipmentId,
            itemId: plan.itemId,
            splitterId: id,
            service: s.isDrop,
            reservedJson: JSON.stringify(s.ports.block),
          },
        });
        await this.fillPorts(tx, plan.boxId, id, s.ports, out);
      } else if (s.kind === 'update') {
        await this.updateSplitter(tx, plan.boxId, s, out);
      } else {
        await this.removeSplitter(tx, s.splitterId, s.keep);
      }
    }
    await tx.geogridItem.update({
      where: { integration_itemId: { integration, itemId: plan.itemId } },
      data: {
        fingerprint: plan.fingerprint,
        readAt: plan.readAt,
        seenAt: this.ctx.seenAt,
        state: 'synced',
        ...(plan.portsRead ? { portsAt: plan.readAt } : {}),
      },
    });
    const items = describePlan(plan, 'applied');
    if (items.some((i) => i.outcome !== 'note') || plan.splitters.length || plan.changes.length)
      out.boxIds.add(plan.boxId);
    out.items.push(...items);
  }

  private async updateSplitter(
    tx: Tx,
    boxId: string,
    s: Extract<SplitterPlan, { kind: 'update' }>,
    out: AppliedPage,
  ): Promise<void> {
    const p = s.ports;
    if (Object.keys(s.changes).length) {
      await tx.splitter.update({
        where: { id: s.splitterId },
        data: {
          ...s.changes,
          ...(s.changes.name !== undefined ? { label: s.changes.name ?? '' } : {}),
        },
      });
    }
    if (p.removePorts.length) {
      await tx.property.updateMany({
        where: { splitterId: s.splitterId, port: { in: p.removePorts } },
        data: { splitterId: null, port: null },
      });
      await tx.splitterPort.deleteMany({
        where: { splitterId: s.splitterId, index: { in: p.removePorts } },
      });
    }
    // Added ports need no row (the ratio makes them); those to block, among them or not, get one.
    if (p.block.length) await blockPorts(tx, s.splitterId, p.block);
    if (p.unblock.length) {
      await tx.splitterPort.updateMany({
        where: { splitterId: s.splitterId, index: { in: p.unblock } },
        data: { blocked: false },
      });
    }
    if (p.block.length || p.unblock.length) {
      const link = await tx.geogridSplitter.findUnique({
        where: { splitterId: s.splitterId },
        select: { reservedJson: true },
      });
      const before = link ? (JSON.parse(link.reservedJson) as number[]) : [];
      const reserved = [...new Set([...before, ...p.block])]
        .filter((n) => !p.unblock.includes(n))
        .sort((a, b) => a - b);
      await tx.geogridSplitter.update({
        where: { splitterId: s.splitterId },
        data: { reservedJson: JSON.stringify(reserved) },
      });
    }
    if (s.changes.isDrop !== undefined) {
      await tx.geogridSplitter.update({
        where: { splitterId: s.splitterId },
        data: { service: s.changes.isDrop },
      });
    }
    await this.fillPorts(tx, boxId, s.splitterId, p, out);
  }

  private async removeSplitter(tx: Tx, splitterId: string, keep: boolean): Promise<void> {
    const link = await tx.geogridSplitter.findUnique({
      where: { splitterId },
      select: { reservedJson: true },
    });
    await tx.geogridSplitter.deleteMany({ where: { splitterId } });
    if (keep) {
      // Left as a plain splitter for its clients: the ports blocked for Geogrid are freed.
      const reserved = link ? (JSON.parse(link.reservedJson) as number[]) : [];
      if (reserved.length) {
        await tx.splitterPort.updateMany({
          where: { splitterId, index: { in: reserved } },
          data: { blocked: false },
        });
      }
      return;
    }
    await tx.property.updateMany({ where: { splitterId }, data: { splitterId: null, port: null } });
    await tx.splitter.delete({ where: { id: splitterId } });
  }

  private async remove(
    tx: Tx,
    plan: Extract<ItemPlan, { kind: 'remove' }>,
    out: AppliedPage,
  ): Promise<void> {
    const { integration } = this.ctx;
    await this.deleteHolds(tx, plan.removeHolds);
    if (plan.boxId) {
      await tx.property.updateMany({
        where: { boxId: plan.boxId },
        data: { boxId: null, splitterId: null, port: null },
      });
      await tx.splitter.deleteMany({ where: { boxId: plan.boxId } });
      await tx.box.deleteMany({ where: { id: plan.boxId } });
      out.boxIds.add(plan.boxId);
    }
    if (plan.poleId) await tx.pole.deleteMany({ where: { id: plan.poleId } });
    await tx.geogridSplitter.deleteMany({ where: { integration, itemId: plan.itemId } });
    await tx.geogridItem.deleteMany({ where: { integration, itemId: plan.itemId } });
    out.items.push(...describePlan(plan, 'applied'));
  }

  private async keep(
    tx: Tx,
    plan: Extract<ItemPlan, { kind: 'keep' }>,
    out: AppliedPage,
  ): Promise<void> {
    const { integration } = this.ctx;
    await this.deleteHolds(tx, plan.removeHolds);
    if (!plan.already) {
      const box = await tx.box.findUnique({
        where: { id: plan.boxId },
        select: { observation: true },
      });
      const note = goneNote(this.ctx.now());
      await tx.box.update({
        where: { id: plan.boxId },
        data: {
          draft: true,
          implanted: false,
          observation: [box?.observation?.trim(), note].filter(Boolean).join('\n'),
        },
      });
      // The splitters stay linked (the item may come back); ports blocked for Geogrid are freed.
      const splitters = await tx.geogridSplitter.findMany({
        where: { integration, itemId: plan.itemId },
      });
      for (const s of splitters) {
        const reserved = JSON.parse(s.reservedJson) as number[];
        if (reserved.length === 0) continue;
        await tx.splitterPort.updateMany({
          where: { splitterId: s.splitterId, index: { in: reserved } },
          data: { blocked: false },
        });
        await tx.geogridSplitter.update({
          where: { splitterId: s.splitterId },
          data: { reservedJson: '[]' },
        });
      }
    }
    await tx.geogridItem.updateMany({
      where: { integration, itemId: plan.itemId },
      data: { state: 'gone', seenAt: this.ctx.seenAt },
    });
    if (!plan.already || plan.removeHolds.length) out.boxIds.add(plan.boxId);
    out.items.push(...describePlan(plan, 'applied'));
  }
}

const dateFormat = new Intl.DateTimeFormat('pt-BR', {
  timeZone: 'America/Sao_Paulo',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** The line added to a box kept after Geogrid deleted it (pt-BR, read by the provider's staff). */
export function goneNote(at: Date): string {
  return `Removida do Geogrid em ${dateFormat.format(at)}; mantida aqui porque tem clientes (fora de venda)`;
}

function merge(into: AppliedPage, from: AppliedPage): void {
  into.items.push(...from.items);
  for (const id of from.boxIds) into.boxIds.add(id);
  into.stale += from.stale;
}

/** Blocks the ports, giving a row to those that had none (an open port may have no row). */
async function blockPorts(tx: Tx, splitterId: string, indexes: number[]): Promise<void> {
  const stored = await tx.splitterPort.findMany({
    where: { splitterId, index: { in: indexes } },
    select: { index: true },
  });
  if (stored.length) {
    await tx.splitterPort.updateMany({
      where: { splitterId, index: { in: indexes } },
      data: { blocked: true },
    });
  }
  const have = new Set(stored.map((p) => p.index));
  const missing = [...new Set(indexes)].filter((i) => !have.has(i));
  if (missing.length) {
    await tx.splitterPort.createMany({
      data: missing.map((index) => ({ splitterId, index, blocked: true })),
    });
  }
}
