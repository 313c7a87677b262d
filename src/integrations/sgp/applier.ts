// Carries out a contract's plan in one transaction: either every action of the contract lands or
// none does. Each action re-reads what it changes, so a plan made a moment earlier stays safe
// when a reservation, another writer or the expiry job moved things meanwhile.
import { AppError, ConflictError, NoFreePortError, NotFoundError } from '../../errors.js';
import { newId } from '../../ids.js';
import { dbProvider, isUniqueViolation, type Db, type Tx } from '../../ozmap-model/db/client.js';
import { choosePortInTx, lockBox } from '../../ozmap-model/port-allocation.js';
import type { Prisma } from '../../generated/sqlite/client.js';
import type { SyncRunItemInput } from '../sync-runs/store.js';
import {
  cancellationNote,
  type Change,
  type ContractAction,
  type ContractPlan,
  type NewClient,
  type Placement,
} from './planner.js';
import { sgpOrigin } from './inventory.js';
import { findInChunks } from '../../ozmap-model/db/chunks.js';
import { refreshPlannerStatsOf } from '../../ozmap-model/db/planner-stats.js';

export interface AppliedContract {
  items: SyncRunItemInput[];
  /** Boxes whose ports or properties changed: the viability index reloads them. */
  boxIds: string[];
}

const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

/** A failure that belongs to one contract (reported, the cycle goes on), not to the cycle. */
export function contractFailure(err: unknown): { reason: string; message: string } | undefined {
  if (isUniqueViolation(err)) {
    return {
      reason: 'written_meanwhile',
      message: 'another writer took this code or port at the same moment; the next cycle retries',
    };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'P2025') {
    return {
      reason: 'changed_meanwhile',
      message: 'a record changed meanwhile; the next cycle retries',
    };
  }
  if (err instanceof NoFreePortError) return { reason: 'box_full', message: err.message };
  if (err instanceof NotFoundError) return { reason: 'not_found', message: err.message };
  if (err instanceof ConflictError) return { reason: 'conflict', message: err.message };
  if (err instanceof AppError && err.status < 500)
    return { reason: 'invalid', message: err.message };
  return undefined;
}

function show(v: Change['from']): string {
  if (v === null) return 'none';
  if (typeof v === 'object') return `${v.lat},${v.lng}`;
  return typeof v === 'string' ? `"${v}"` : String(v);
}

function describeChanges(changes: Change[]): string {
  return changes.map((c) => `${c.field}: ${show(c.from)} → ${show(c.to)}`).join('; ');
}

function where(p: Placement, port?: { splitterName: string | null; port: number }): string {
  if (p.kind === 'box') return `in box "${p.boxName}", not connected (no drop splitter)`;
  const name = port ? port.splitterName : p.splitterName;
  return `at box "${p.boxName}", ${name ?? 'splitter'} port ${port?.port ?? p.port}`;
}

/** A creation the page batch can do: a new property at a planned free port or in a box. */
function batchableCreate(a: ContractAction): boolean {
  return a.kind === 'create' && !(a.placement.kind === 'port' && a.placement.vacantPropertyId);
}

export class SgpApplier {
  private readonly onPostgres: boolean;

  constructor(
    private readonly db: Db,
    private readonly options: { integration: string; now: () => Date },
  ) {
    this.onPostgres = dbProvider(db) === 'postgresql';
  }

  /**
   * Applies a page's plans, in order of cost: the simple creations together (one transaction,
   * `createMany`), the contracts with only updates together, and the rest one by one. A batch
   * that fails rolls back whole and its contracts are applied one by one, so each contract is
   * always either fully applied or untouched. Aborting stops between transactions.
   */
  async applyPage(plans: ContractPlan[], signal?: AbortSignal): Promise<AppliedContract[]> {
    const results = new Array<AppliedContract | undefined>(plans.length);
    const creates: number[] = [];
    const updates: number[] = [];
    const single: number[] = [];
    plans.forEach((p, i) => {
      if (p.skip || p.actions.length === 0) single.push(i);
      else if (p.actions.length === 1 && batchableCreate(p.actions[0]!)) creates.push(i);
      else if (p.actions.every((a) => a.kind === 'update' || a.kind === 'implant')) updates.push(i);
      else single.push(i);
    });
    if (creates.length > 1) {
      signal?.throwIfAborted();
      const batch = await this.createBatch(creates.map((i) => plans[i]!));
      creates.forEach((i, k) => {
        const done = batch?.[k];
        if (done) results[i] = done;
        else single.push(i);
      });
    } else single.push(...creates);
    if (updates.length > 1) {
      signal?.throwIfAborted();
      const batch = await this.inOneTransaction(updates.map((i) => plans[i]!));
      updates.forEach((i, k) => {
        const done = batch?.[k];
        if (done) results[i] = done;
        else single.push(i);
      });
    } else single.push(...updates);
    for (const i of single.sort((a, b) => a - b)) {
      if (results[i]) continue;
      signal?.throwIfAborted();
      results[i] = await this.apply(plans[i]!);
    }
    // A first cycle fills client tables from empty: keep SQLite's planner statistics current.
    if (creates.length > 0) await refreshPlannerStatsOf(this.db);
    return results.map((r) => r!);
  }

  private notes(plan: ContractPlan): SyncRunItemInput[] {
    return plan.notes.map((n) => ({
      itemId: plan.contractId,
      outcome: 'note',
      reason: n.reason,
      message: n.message,
    }));
  }

  /**
   * New clients of a page in one transaction: the boxes locked (PostgreSQL), the planned ports
   * checked again, then two `createMany`. A contract whose port was taken meanwhile is left out
   * (undefined: it goes one by one, to the box's first free port); any failure → null.
   */
  private async createBatch(
    plans: ContractPlan[],
  ): Promise<Array<AppliedContract | undefined> | null> {
    const now = this.options.now();
    const actions = plans.map((p) => p.actions[0] as Extract<ContractAction, { kind: 'create' }>);
    const boxIds = [...new Set(actions.map((a) => a.placement.boxId))].sort();
    const splitterIds = [
      ...new Set(
        actions.flatMap((a) => (a.placement.kind === 'port' ? [a.placement.splitterId] : [])),
      ),
    ];
    try {
      return await this.db.$transaction(async (tx) => {
        if (this.onPostgres) {
          const marks = boxIds.map((_, i) => `$${i + 1}`).join(', ');
          await tx.$queryRawUnsafe(
            `SELECT 1 FROM "Box" WHERE "id" IN (${marks}) ORDER BY "id" FOR UPDATE`,
            ...boxIds,
          );
        }
        const boxes = await findInChunks(boxIds, (chunk) =>
          tx.box.findMany({ where: { id: { in: chunk } }, select: { id: true, projectId: true } }),
        );
        const project = new Map(boxes.map((b) => [b.id, b.projectId]));
        const taken = new Set<string>();
        const held = await findInChunks(splitterIds, (chunk) =>
          tx.property.findMany({
            where: { splitterId: { in: chunk }, port: { not: null } },
            select: { splitterId: true, port: true },
          }),
        );
        for (const row of held) taken.add(`${row.splitterId}:${row.port}`);
        const blocked = await findInChunks(splitterIds, (chunk) =>
          tx.splitterPort.findMany({
            where: { splitterId: { in: chunk }, blocked: true },
            select: { splitterId: true, index: true },
          }),
        );
        for (const row of blocked) taken.add(`${row.splitterId}:${row.index}`);
        const out = new Array<AppliedContract | undefined>(plans.length);
        const clients: Prisma.FtthClientCreateManyInput[] = [];
        const properties: Prisma.PropertyCreateManyInput[] = [];
        actions.forEach((a, k) => {
          const p = a.placement;
          const projectId = project.get(p.boxId);
          if (!projectId) return;
          if (p.kind === 'port' && taken.has(`${p.splitterId}:${p.port}`)) return;
          const clientId = newId(now.getTime());
          const c = a.client;
          clients.push(this.clientRow(clientId, c));
          properties.push({
            id: newId(now.getTime()),
            projectId,
            clientId,
            boxId: p.boxId,
            splitterId: p.kind === 'port' ? p.splitterId : null,
            port: p.kind === 'port' ? p.port : null,
            lat: c.lat,
            lng: c.lng,
            address: c.address,
            potencyRead: c.potencyRead,
          });
          const plan = plans[k]!;
          out[k] = {
            items: [
              {
                itemId: plan.contractId,
                outcome: 'created',
                message: `created ${where(p)}`,
                detail: {
                  boxId: p.boxId,
                  ...(p.kind === 'port' ? { splitterId: p.splitterId, port: p.port } : {}),
                  implanted: c.implanted,
                },
              },
              ...this.notes(plan),
            ],
            boxIds: [p.boxId],
          };
        });
        if (clients.length) await tx.ftthClient.createMany({ data: clients });
        if (properties.length) await tx.property.createMany({ data: properties });
        return out;
      }, TX_OPTIONS);
    } catch {
      // Whatever went wrong (a code created meanwhile, a database refusal), each contract is
      // tried on its own next, and reports its own reason.
      return null;
    }
  }

  /** Several contracts' plans in one transaction (updates only); any failure → null. */
  private async inOneTransaction(plans: ContractPlan[]): Promise<AppliedContract[] | null> {
    try {
      return await this.db.$transaction(async (tx) => {
        const out: AppliedContract[] = [];
        for (const plan of plans) {
          const result: AppliedContract = { items: [], boxIds: [] };
          for (const action of plan.actions) await this.run(tx, plan.contractId, action, result);
          out.push({ items: [...result.items, ...this.notes(plan)], boxIds: result.boxIds });
        }
        return out;
      }, TX_OPTIONS);
    } catch {
      return null;
    }
  }

  /** Applies one contract's plan; contract-level failures come back as an error item. */
  async apply(plan: ContractPlan): Promise<AppliedContract> {
    const id = plan.contractId;
    if (plan.skip) {
      return { items: [{ itemId: id, outcome: 'skipped', ...plan.skip }], boxIds: [] };
    }
    const notes = this.notes(plan);
    if (plan.actions.length === 0) return { items: notes, boxIds: [] };
    try {
      const done = await this.db.$transaction(async (tx) => {
        const result: AppliedContract = { items: [], boxIds: [] };
        for (const action of plan.actions) await this.run(tx, id, action, result);
        return result;
      }, TX_OPTIONS);
      return { items: [...done.items, ...notes], boxIds: done.boxIds };
    } catch (err) {
      const failure = contractFailure(err);
      if (!failure) throw err;
      return { items: [{ itemId: id, outcome: 'error', ...failure }], boxIds: [] };
    }
  }

  private async run(
    tx: Tx,
    id: string,
    action: ContractAction,
    out: AppliedContract,
  ): Promise<void> {
    switch (action.kind) {
      case 'create':
        return this.create(tx, id, action, out);
      case 'adopt':
        return this.adopt(tx, id, action, out);
      case 'update':
        return this.update(tx, id, action, out);
      case 'implant':
        await tx.ftthClient.update({
          where: { id: action.clientId },
          data: { implanted: true, reservationExpiresAt: null },
        });
        out.items.push({
          itemId: id,
          outcome: 'implanted',
          message: 'client set implanted (Implantado)',
        });
        return;
      case 'cancel':
      case 'withdraw':
        return this.cancel(tx, id, action, out);
    }
  }

  /** The client row of a new contract (both creation paths write the same one). */
  private clientRow(id: string, c: NewClient): Prisma.FtthClientCreateManyInput {
    return {
      id,
      code: c.code,
      name: c.name,
      document: c.document,
      phone: c.phone,
      email: c.email,
      implanted: c.implanted,
      status: c.status,
      reservedBy: sgpOrigin(this.options.integration),
      reservationExpiresAt: null,
    };
  }

  private async create(
    tx: Tx,
    id: string,
    action: Extract<ContractAction, { kind: 'create' }>,
    out: AppliedContract,
  ): Promise<void> {
    const now = this.options.now();
    const { client: c, placement } = action;
    const clientId = newId(now.getTime());
    await tx.ftthClient.create({ data: this.clientRow(clientId, c) });
    const fields = { lat: c.lat, lng: c.lng, address: c.address, potencyRead: c.potencyRead };
    if (placement.kind === 'box') {
      const box = await tx.box.findUnique({
        where: { id: placement.boxId },
        select: { projectId: true },
      });
      if (!box) throw new NotFoundError('box', placement.boxName);
      await tx.property.create({
        data: {
          id: newId(now.getTime()),
          projectId: box.projectId,
          clientId,
          boxId: placement.boxId,
          ...fields,
        },
      });
      out.items.push({
        itemId: id,
        outcome: 'created',
        message: `created ${where(placement)}`,
        detail: { boxId: placement.boxId },
      });
      out.boxIds.push(placement.boxId);
      return;
    }
    if (this.onPostgres) await lockBox(tx, placement.boxId);
    const slot = await this.portFor(tx, placement);
    if (slot.vacantPropertyId) {
      await tx.property.update({
        where: { id: slot.vacantPropertyId },
        data: { clientId, ...fields },
      });
    } else {
      await tx.property.create({
        data: {
          id: newId(now.getTime()),
          projectId: slot.projectId,
          clientId,
          boxId: placement.boxId,
          splitterId: slot.splitterId,
          port: slot.port,
          ...fields,
        },
      });
    }
    const moved = slot.splitterId !== placement.splitterId || slot.port !== placement.port;
    out.items.push({
      itemId: id,
      outcome: 'created',
      message: `created ${where(placement, slot)}${moved ? ' (the planned port was taken meanwhile)' : ''}`,
      detail: {
        boxId: placement.boxId,
        splitterId: slot.splitterId,
        port: slot.port,
        implanted: c.implanted,
      },
    });
    out.boxIds.push(placement.boxId);
  }

  /**
   * The planned port when it is still as planned (free, or holding the vacant property the plan
   * moves into), else the box's first free port now.
   */
  private async portFor(
    tx: Tx,
    p: Extract<Placement, { kind: 'port' }>,
  ): Promise<{
    projectId: string;
    splitterId: string;
    splitterName: string | null;
    port: number;
    vacantPropertyId?: string;
  }> {
    const splitter = await tx.splitter.findUnique({
      where: { id: p.splitterId },
      select: {
        name: true,
        box: { select: { id: true, projectId: true } },
        ports: { where: { index: p.port }, select: { blocked: true } },
        properties: { where: { port: p.port }, select: { id: true, clientId: true } },
      },
    });
    if (splitter && splitter.box.id === p.boxId && !splitter.ports[0]?.blocked) {
      const holder = splitter.properties[0];
      const base = {
        projectId: splitter.box.projectId,
        splitterId: p.splitterId,
        splitterName: splitter.name,
        port: p.port,
      };
      if (!holder) return base;
      if (holder.clientId === null && holder.id === p.vacantPropertyId) {
        return { ...base, vacantPropertyId: holder.id };
      }
    }
    const slot = await choosePortInTx(
      tx,
      { kind: 'box', boxId: p.boxId, allowDraft: true },
      this.onPostgres,
    );
    return {
      projectId: slot.projectId,
      splitterId: slot.splitterId,
      splitterName: slot.splitterName,
      port: slot.port,
    };
  }

  private async adopt(
    tx: Tx,
    id: string,
    action: Extract<ContractAction, { kind: 'adopt' }>,
    out: AppliedContract,
  ): Promise<void> {
    const now = this.options.now();
    const current = await tx.ftthClient.findUnique({
      where: { id: action.clientId },
      select: { code: true, implanted: true, reservedBy: true, reservationMetaJson: true },
    });
    if (!current || current.code !== action.fromCode || current.implanted) {
      throw new ConflictError(
        `reservation ${action.fromCode} changed meanwhile; the next cycle looks again`,
      );
    }
    let meta: Record<string, unknown> = {};
    try {
      meta = current.reservationMetaJson
        ? (JSON.parse(current.reservationMetaJson) as Record<string, unknown>)
        : {};
    } catch {
      // an unreadable meta is replaced
    }
    await tx.ftthClient.update({
      where: { id: action.clientId },
      data: {
        code: action.toCode,
        // The ERP owns it now: no expiry releases a customer with a contract.
        reservationExpiresAt: null,
        reservationMetaJson: JSON.stringify({
          ...meta,
          adoptedBy: sgpOrigin(this.options.integration),
          adoptedFromCode: action.fromCode,
          adoptedAt: now.toISOString(),
        }),
      },
    });
    let moved = '';
    if (action.move && action.propertyId) {
      if (this.onPostgres) await lockBox(tx, action.move.boxId);
      const taken = await tx.property.findFirst({
        where: { splitterId: action.move.splitterId, port: action.move.port },
        select: { id: true },
      });
      const blocked = await tx.splitterPort.findUnique({
        where: {
          splitterId_index: { splitterId: action.move.splitterId, index: action.move.port },
        },
        select: { blocked: true },
      });
      if (!taken && !blocked?.blocked) {
        await tx.property.update({
          where: { id: action.propertyId },
          data: {
            boxId: action.move.boxId,
            splitterId: action.move.splitterId,
            port: action.move.port,
          },
        });
        moved = `, moved to box "${action.move.boxName}" port ${action.move.port}`;
        out.boxIds.push(action.move.boxId);
        if (action.fromBoxId) out.boxIds.push(action.fromBoxId);
      } else {
        moved = ', kept its port (the port SGP names was taken meanwhile)';
      }
    }
    out.items.push({
      itemId: id,
      outcome: 'adopted',
      message: `reservation ${action.fromCode} (${current.reservedBy ?? 'unknown origin'}) adopted: its code is now ${action.toCode}${moved}`,
      detail: {
        clientId: action.clientId,
        fromCode: action.fromCode,
        reservedBy: current.reservedBy,
      },
    });
  }

  private async update(
    tx: Tx,
    id: string,
    action: Extract<ContractAction, { kind: 'update' }>,
    out: AppliedContract,
  ): Promise<void> {
    const client: { name?: string; status?: number } = {};
    const property: { potencyRead?: number; lat?: number; lng?: number; address?: string } = {};
    for (const c of action.changes) {
      if (c.field === 'name') client.name = c.to as string;
      else if (c.field === 'status') client.status = c.to as number;
      else if (c.field === 'potencyRead') property.potencyRead = c.to as number;
      else if (c.field === 'address') property.address = c.to as string;
      else if (typeof c.to === 'object') {
        property.lat = c.to.lat;
        property.lng = c.to.lng;
      }
    }
    if (Object.keys(client).length)
      await tx.ftthClient.update({ where: { id: action.clientId }, data: client });
    if (Object.keys(property).length && action.propertyId) {
      await tx.property.update({ where: { id: action.propertyId }, data: property });
    }
    out.items.push({
      itemId: id,
      outcome: 'updated',
      message: describeChanges(action.changes),
      detail: { changes: action.changes },
    });
  }

  private async cancel(
    tx: Tx,
    id: string,
    action: Extract<ContractAction, { kind: 'cancel' | 'withdraw' }>,
    out: AppliedContract,
  ): Promise<void> {
    // Decided on what the client is now, not when planned (a confirmation may have landed since).
    const client = await tx.ftthClient.findUnique({
      where: { id: action.clientId },
      select: {
        implanted: true,
        name: true,
        code: true,
        property: {
          select: { id: true, boxId: true, splitterId: true, port: true, observation: true },
        },
      },
    });
    if (!client) return;
    const p = client.property;
    if (client.implanted) {
      const note = cancellationNote(client.name, client.code, this.options.now());
      if (p) {
        const observation = [p.observation?.trim(), note].filter(Boolean).join('\n');
        await tx.property.update({ where: { id: p.id }, data: { clientId: null, observation } });
      }
      await tx.ftthClient.delete({ where: { id: action.clientId } });
      out.items.push({
        itemId: id,
        outcome: 'cancelled',
        message: p
          ? `implanted client removed; its property stays${p.port !== null ? ` connected at port ${p.port}` : ''}, with the client noted in its observation`
          : 'implanted client removed (it had no property)',
        detail: { propertyId: p?.id ?? null },
      });
    } else {
      if (p) await tx.property.delete({ where: { id: p.id } });
      await tx.ftthClient.delete({ where: { id: action.clientId } });
      out.items.push({
        itemId: id,
        outcome: 'removed',
        message: `withdrawal (desistência): client and property removed${p?.port != null ? `, port ${p.port} freed` : ''}`,
      });
    }
    if (p?.boxId) out.boxIds.push(p.boxId);
  }
}
