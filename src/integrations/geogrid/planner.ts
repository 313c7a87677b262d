// The Geogrid sync's decisions, as pure functions: from a page of Geogrid items (with their
// equipment, ports and who is on them) and what our inventory holds for them, what to do with
// each item (create its box and splitters, update field X, take or free ports, move a matched
// client to the port Geogrid has it on, remove it, keep it for its clients, or skip it with a
// reason). No I/O: the applier carries the plan out.
import { createHash } from 'node:crypto';
import type { GeogridElement } from '../../services/sync-settings.js';
import { portContradiction } from './converters.js';
import type { EquipmentSummary, ItemKind, LatLng, RemoteEquipment, RemoteItem } from './types.js';

// ---- what the planner knows about Geogrid --------------------------------------------------------

export interface RemoteState {
  item: RemoteItem;
  /** Port counts of the item's service equipment (and distribution, when that kind is synced). */
  summary: { service: EquipmentSummary[]; distribution: EquipmentSummary[] | null };
  /** The item's equipment and ports, read one by one; null = not read (nothing changed). */
  equipment: RemoteEquipment[] | null;
  readAt: Date;
}

// ---- what the planner knows about our side --------------------------------------------------------

export interface LocalHolder {
  port: number;
  propertyId: string;
  /** null = a vacant property (its client was cancelled); it still occupies the port. */
  clientId: string | null;
  clientCode: string | null;
  /** A Geogrid hold: a client of Geogrid's that is not ours, on that port. */
  hold: { geogridClientId: string; geogridPortId: string; name: string | null } | null;
}

export interface LocalSplitter {
  id: string;
  /** The Geogrid equipment it mirrors; null = a splitter made here, not synced. */
  equipmentId: string | null;
  name: string | null;
  isDrop: boolean;
  ratioOut: number;
  /** Every blocked port, and the ones blocked because Geogrid reserves them. */
  blocked: number[];
  reservedByGeogrid: number[];
  holders: LocalHolder[];
}

export interface LocalBox {
  id: string;
  name: string | null;
  lat: number;
  lng: number;
  draft: boolean;
  observation: string | null;
  splitters: LocalSplitter[];
  /** Our clients in the box that are not on one of its splitters' ports. */
  looseClients: number;
}

export interface LocalItem {
  itemId: string;
  kind: string;
  /** synced | gone | unlinked */
  state: string;
  fingerprint: string;
  readAt: Date;
  portsAt: Date | null;
  box: LocalBox | null;
  pole: {
    id: string;
    name: string | null;
    lat: number;
    lng: number;
    observation: string | null;
  } | null;
}

/** One of our clients that Geogrid knows (matched by observacao + CPF/CNPJ, or pushed by us). */
export interface OurClient {
  clientId: string;
  code: string;
  propertyId: string | null;
  boxId: string | null;
  splitterId: string | null;
  port: number | null;
}

export interface PageSnapshot {
  items: ReadonlyMap<string, LocalItem>;
  /** Geogrid client id → our client, for the clients on this page's ports that are ours. */
  ours: ReadonlyMap<string, OurClient>;
}

export interface PlanContext {
  elements: ReadonlySet<GeogridElement>;
  projectId: string;
  now: Date;
}

// ---- the plan ---------------------------------------------------------------------------------------

export type SkipReason =
  'no_coordinates' | 'invalid_coordinates' | 'contradictory_ports' | 'ports_unread';

export type NoteReason =
  | 'moved_with_clients'
  | 'port_taken_in_geogrid'
  | 'port_reserved_in_geogrid'
  | 'client_moved'
  | 'client_on_two_ports'
  | 'port_removed_with_client'
  | 'splitter_gone_with_clients'
  | 'vacant_property_detached'
  | 'still_gone_with_clients';

export interface Note {
  reason: NoteReason;
  message: string;
  detail?: Record<string, unknown>;
}

export interface BoxFields {
  name: string;
  lat: number;
  lng: number;
  draft: boolean;
  observation: string | null;
}

export interface HoldSpec {
  port: number;
  geogridClientId: string;
  geogridPortId: string;
  name: string | null;
}

export interface MoveSpec {
  clientId: string;
  code: string;
  /** Its property now (null: it has none and one is made at the port). */
  propertyId: string | null;
  fromBoxId: string | null;
  port: number;
}

/** What happens to one synced splitter's ports. */
export interface PortPlan {
  addPorts: number[];
  removePorts: number[];
  block: number[];
  unblock: number[];
  createHolds: HoldSpec[];
  updateHolds: Array<HoldSpec & { clientId: string }>;
  removeHolds: Array<{ clientId: string; propertyId: string }>;
  /** Vacant properties taken off a port Geogrid gives to a client (kept, unconnected). */
  detachVacant: string[];
  moves: MoveSpec[];
  /** Our clients Geogrid has on this splitter's ports: their link is confirmed (attached). */
  attached: Array<{ clientId: string; geogridClientId: string; port: number }>;
}

export type SplitterPlan =
  | {
      kind: 'create';
      equipmentId: string;
      name: string | null;
      isDrop: boolean;
      inputs: number;
      outputs: number;
      ports: PortPlan;
    }
  | {
      kind: 'update';
      splitterId: string;
      equipmentId: string;
      changes: { name?: string | null; isDrop?: boolean; ratioOut?: number };
      ports: PortPlan;
    }
  /** Gone from Geogrid (or out of scope): deleted, or left as a plain splitter for its clients. */
  | {
      kind: 'remove';
      splitterId: string;
      equipmentId: string | null;
      keep: boolean;
      removeHolds: Array<{ clientId: string; propertyId: string }>;
    };

export type FieldChange = { field: keyof BoxFields | 'pole'; from: unknown; to: unknown };

export type ItemPlan =
  | {
      kind: 'create';
      itemId: string;
      itemKind: ItemKind;
      box: BoxFields;
      pole: BoxFields | null;
      splitters: SplitterPlan[];
      fingerprint: string;
      readAt: Date;
      portsRead: boolean;
      notes: Note[];
    }
  | {
      kind: 'update';
      itemId: string;
      itemKind: ItemKind;
      boxId: string;
      poleId: string | null;
      box: Partial<BoxFields>;
      pole: Partial<BoxFields>;
      changes: FieldChange[];
      splitters: SplitterPlan[];
      fingerprint: string;
      readAt: Date;
      portsRead: boolean;
      /** It was gone or unlinked and is synced again. */
      revived: boolean;
      notes: Note[];
    }
  | {
      kind: 'remove';
      itemId: string;
      boxId: string | null;
      poleId: string | null;
      splitterIds: string[];
      removeHolds: Array<{ clientId: string; propertyId: string }>;
      why: string;
    }
  | {
      kind: 'keep';
      itemId: string;
      boxId: string;
      clients: number;
      removeHolds: Array<{ clientId: string; propertyId: string }>;
      why: string;
      /** Already marked gone on an earlier run: only reported. */
      already: boolean;
    }
  | { kind: 'skip'; itemId: string; reason: SkipReason; message: string };

export interface PagePlan {
  plans: ItemPlan[];
  /** Items that are here and unchanged: only their seen-time moves. */
  unchanged: string[];
  /** Items Geogrid lists that are not synced (out of the chosen elements) and not here. */
  ignored: number;
}

const DETAIL_MAX_AGE_MS = 7 * 86_400_000;
const MOVE_EPSILON_M = 0.5;

export function kindOf(type: string): ItemKind | null {
  const t = type.trim().toLowerCase();
  return t === 'terminal' || t === 'caixa' || t === 'poste' ? t : null;
}

/** What decides whether an item changed: its data and its port counts, hashed. */
export function fingerprint(s: Pick<RemoteState, 'item' | 'summary'>): string {
  const { item, summary } = s;
  return createHash('sha1')
    .update(
      JSON.stringify([
        item.type,
        item.name,
        item.point,
        item.observation,
        item.planned,
        summary.service,
        summary.distribution,
      ]),
    )
    .digest('base64url');
}

function hasEquipment(s: RemoteState, elements: ReadonlySet<GeogridElement>): boolean {
  return (
    s.summary.service.length > 0 ||
    (elements.has('distribution-splitters') && (s.summary.distribution?.length ?? 0) > 0)
  );
}

/** Whether an item of this kind, with these port counts, is synced under `elements`. */
export function inScope(s: RemoteState, elements: ReadonlySet<GeogridElement>): boolean {
  const kind = kindOf(s.item.type);
  if (kind === 'poste') return elements.has('poles');
  if (kind === null) return false;
  return elements.has('boxes') || s.summary.service.length > 0;
}

/**
 * Whether the scanner must read the item's ports one by one: it is new, changed, was not synced,
 * or its ports were last read a week ago (port swaps do not change the counts). An item without
 * equipment of a synced kind needs no read: it has no ports.
 */
export function needsPorts(
  s: RemoteState,
  local: LocalItem | undefined,
  ctx: PlanContext,
): boolean {
  if (!inScope(s, ctx.elements) || !hasEquipment(s, ctx.elements)) return false;
  if (!local || local.state !== 'synced') return true;
  if (local.fingerprint !== fingerprint(s)) return true;
  return !local.portsAt || ctx.now.getTime() - local.portsAt.getTime() > DETAIL_MAX_AGE_MS;
}

function haversine(a: LatLng, b: LatLng): number {
  const r = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}

function distanceText(m: number): string {
  return m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`;
}

/** Plans a page. A client of ours moved to a port by one item is not moved again by another. */
export function planPage(
  remote: readonly RemoteState[],
  snapshot: PageSnapshot,
  ctx: PlanContext,
): PagePlan {
  const out: PagePlan = { plans: [], unchanged: [], ignored: 0 };
  const moved = new Set<string>();
  for (const s of remote) {
    const local = snapshot.items.get(s.item.id);
    const plan = planItem(s, local, snapshot, ctx, moved);
    if (plan === 'unchanged') out.unchanged.push(s.item.id);
    else if (plan === 'ignored') out.ignored++;
    else out.plans.push(plan);
  }
  return out;
}

function planItem(
  s: RemoteState,
  local: LocalItem | undefined,
  snapshot: PageSnapshot,
  ctx: PlanContext,
  moved: Set<string>,
): ItemPlan | 'unchanged' | 'ignored' {
  const { item } = s;
  const kind = kindOf(item.type);
  if (kind === null) {
    if (local) return planRemoval(local, `Geogrid now lists it as "${item.type}"`);
    return 'ignored';
  }
  if (!inScope(s, ctx.elements)) {
    if (!local) return 'ignored';
    return planRemoval(local, outOfScopeWhy(kind));
  }
  if (item.point.kind === 'missing') {
    return skip(item.id, 'no_coordinates', 'Geogrid has no coordinates for this item');
  }
  if (item.point.kind === 'invalid') {
    return skip(
      item.id,
      'invalid_coordinates',
      `Geogrid's coordinates "${item.point.raw}" are not a point on Earth`,
    );
  }
  const print = fingerprint(s);
  if (local && local.state === 'synced' && local.fingerprint === print && s.equipment === null) {
    return 'unchanged';
  }
  const equipment = s.equipment ?? (hasEquipment(s, ctx.elements) ? null : []);
  if (equipment === null) {
    return skip(item.id, 'ports_unread', 'its ports could not be read; the next run tries again');
  }
  const contradiction = portContradiction(equipment);
  if (contradiction) {
    return skip(
      item.id,
      'contradictory_ports',
      `its port list contradicts itself (${contradiction}); left as it was`,
    );
  }
  const synced = equipment.filter(
    (e) => e.service !== false || ctx.elements.has('distribution-splitters'),
  );
  const fields = boxFields(item, kind);
  const notes: Note[] = [];
  if (!local || !local.box) {
    return {
      kind: 'create',
      itemId: item.id,
      itemKind: kind,
      box: fields.box,
      pole: fields.pole,
      splitters: synced.map((e) => ({
        kind: 'create' as const,
        equipmentId: e.id,
        name: e.name,
        isDrop: e.service !== false,
        inputs: e.inputs,
        outputs: e.outputs.length,
        ports: planPorts(e, null, snapshot, moved, notes).plan,
      })),
      fingerprint: print,
      readAt: s.readAt,
      portsRead: s.equipment !== null,
      notes,
    };
  }
  return planUpdate(s, kind, local, local.box, fields, synced, print, snapshot, moved, notes);
}

function outOfScopeWhy(kind: ItemKind): string {
  return kind === 'poste'
    ? 'poles are not among the elements this integration syncs'
    : 'it no longer holds a service splitter (and boxes without one are not synced)';
}

function skip(itemId: string, reason: SkipReason, message: string): ItemPlan {
  return { kind: 'skip', itemId, reason, message };
}

function boxFields(item: RemoteItem, kind: ItemKind): { box: BoxFields; pole: BoxFields | null } {
  const point = (item.point as { point: LatLng }).point;
  const name = item.name ?? `${kind} ${item.id}`;
  const base = { name, lat: point.lat, lng: point.lng, draft: item.planned === true };
  if (kind !== 'poste') return { box: { ...base, observation: item.observation }, pole: null };
  return {
    pole: { ...base, observation: item.observation },
    box: { ...base, observation: `Caixa de atendimento do poste ${name} (Geogrid)` },
  };
}

function clientsOf(box: LocalBox): number {
  return (
    box.looseClients +
    box.splitters.reduce((n, s) => n + s.holders.filter((h) => h.clientId && !h.hold).length, 0)
  );
}

function holdsOf(
  splitters: readonly LocalSplitter[],
): Array<{ clientId: string; propertyId: string }> {
  return splitters.flatMap((s) =>
    s.holders
      .filter((h) => h.hold && h.clientId)
      .map((h) => ({ clientId: h.clientId!, propertyId: h.propertyId })),
  );
}

/** An item that is gone from Geogrid (or no longer synced): removed, or kept for its clients. */
export function planRemoval(local: LocalItem, why: string): ItemPlan {
  const box = local.box;
  const clients = box ? clientsOf(box) : 0;
  const removeHolds = box ? holdsOf(box.splitters) : [];
  if (box && clients > 0) {
    return {
      kind: 'keep',
      itemId: local.itemId,
      boxId: box.id,
      clients,
      removeHolds,
      why,
      already: local.state === 'gone',
    };
  }
  return {
    kind: 'remove',
    itemId: local.itemId,
    boxId: box?.id ?? null,
    poleId: local.pole?.id ?? null,
    splitterIds: box ? box.splitters.filter((s) => s.equipmentId !== null).map((s) => s.id) : [],
    removeHolds,
    why,
  };
}

function planUpdate(
  s: RemoteState,
  kind: ItemKind,
  local: LocalItem,
  box: LocalBox,
  fields: { box: BoxFields; pole: BoxFields | null },
  synced: RemoteEquipment[],
  print: string,
  snapshot: PageSnapshot,
  moved: Set<string>,
  notes: Note[],
): ItemPlan {
  const changes: FieldChange[] = [];
  const boxChange: Partial<BoxFields> = {};
  const want = fields.box;
  if (want.name !== box.name) {
    changes.push({ field: 'name', from: box.name, to: want.name });
    boxChange.name = want.name;
  }
  const distance = haversine({ lat: box.lat, lng: box.lng }, want);
  if (distance > MOVE_EPSILON_M || box.lat !== want.lat || box.lng !== want.lng) {
    changes.push({
      field: 'lat',
      from: { lat: box.lat, lng: box.lng },
      to: { lat: want.lat, lng: want.lng },
    });
    boxChange.lat = want.lat;
    boxChange.lng = want.lng;
    const clients = clientsOf(box);
    if (clients > 0 && distance > MOVE_EPSILON_M) {
      notes.push({
        reason: 'moved_with_clients',
        message: `moved ${distanceText(distance)} in Geogrid; it holds ${clients} client(s) here: check their drops`,
        detail: { meters: Math.round(distance), clients },
      });
    }
  }
  if (want.draft !== box.draft) {
    changes.push({ field: 'draft', from: box.draft, to: want.draft });
    boxChange.draft = want.draft;
  }
  if (kind !== 'poste' && want.observation !== box.observation) {
    changes.push({ field: 'observation', from: box.observation, to: want.observation });
    boxChange.observation = want.observation;
  }
  const poleChange: Partial<BoxFields> = {};
  if (fields.pole && local.pole) {
    const p = local.pole;
    if (fields.pole.name !== p.name) poleChange.name = fields.pole.name;
    if (fields.pole.lat !== p.lat || fields.pole.lng !== p.lng) {
      poleChange.lat = fields.pole.lat;
      poleChange.lng = fields.pole.lng;
    }
    if (fields.pole.observation !== p.observation) poleChange.observation = fields.pole.observation;
    if (Object.keys(poleChange).length) changes.push({ field: 'pole', from: null, to: poleChange });
  }

  const splitters: SplitterPlan[] = [];
  const byEquipment = new Map(
    box.splitters.filter((x) => x.equipmentId).map((x) => [x.equipmentId!, x]),
  );
  for (const e of synced) {
    const mine = byEquipment.get(e.id);
    byEquipment.delete(e.id);
    const isDrop = e.service !== false;
    if (!mine) {
      splitters.push({
        kind: 'create',
        equipmentId: e.id,
        name: e.name,
        isDrop,
        inputs: e.inputs,
        outputs: e.outputs.length,
        ports: planPorts(e, null, snapshot, moved, notes).plan,
      });
      continue;
    }
    const ports = planPorts(e, mine, snapshot, moved, notes);
    const sc: { name?: string | null; isDrop?: boolean; ratioOut?: number } = {};
    if (e.name !== mine.name) sc.name = e.name;
    if (isDrop !== mine.isDrop) sc.isDrop = isDrop;
    const ratio = Math.max(e.outputs.length, ...ports.keptBeyond);
    if (ratio !== mine.ratioOut) sc.ratioOut = ratio;
    if (Object.keys(sc).length || !emptyPorts(ports.plan)) {
      splitters.push({
        kind: 'update',
        splitterId: mine.id,
        equipmentId: e.id,
        changes: sc,
        ports: ports.plan,
      });
    }
  }
  for (const gone of byEquipment.values()) {
    const clients = gone.holders.filter((h) => h.clientId && !h.hold).length;
    if (clients > 0) {
      notes.push({
        reason: 'splitter_gone_with_clients',
        message: `splitter "${gone.name ?? gone.id}" is gone from Geogrid; kept here, no longer synced, for its ${clients} client(s)`,
      });
    }
    splitters.push({
      kind: 'remove',
      splitterId: gone.id,
      equipmentId: gone.equipmentId,
      keep: clients > 0,
      removeHolds: holdsOf([gone]),
    });
  }
  return {
    kind: 'update',
    itemId: s.item.id,
    itemKind: kind,
    boxId: box.id,
    poleId: local.pole?.id ?? null,
    box: boxChange,
    pole: poleChange,
    changes,
    splitters,
    fingerprint: print,
    readAt: s.readAt,
    portsRead: s.equipment !== null,
    revived: local.state !== 'synced',
    notes,
  };
}

function emptyPorts(p: PortPlan): boolean {
  return (
    p.addPorts.length +
      p.removePorts.length +
      p.block.length +
      p.unblock.length +
      p.createHolds.length +
      p.updateHolds.length +
      p.removeHolds.length +
      p.detachVacant.length +
      p.moves.length +
      p.attached.length ===
    0
  );
}

/** Whether a plan changes anything beyond bookkeeping (for counts: updated vs unchanged). */
export function changesSomething(plan: ItemPlan): boolean {
  if (plan.kind !== 'update') return plan.kind !== 'skip';
  return (
    plan.changes.length > 0 ||
    plan.revived ||
    plan.splitters.some(
      (s) =>
        s.kind !== 'update' ||
        Object.keys(s.changes).length > 0 ||
        !emptyPorts({ ...s.ports, attached: [] }),
    )
  );
}

/**
 * One splitter's ports against Geogrid's: Geogrid's clients that are ours sit on their port here
 * (moved when they are elsewhere), the others hold theirs as Geogrid holds; reserved ports are
 * blocked; ports Geogrid frees are freed here. Our own clients are never removed: a port Geogrid
 * gives someone else while ours holds it here is reported.
 */
function planPorts(
  e: RemoteEquipment,
  local: LocalSplitter | null,
  snapshot: PageSnapshot,
  moved: Set<string>,
  notes: Note[],
): { plan: PortPlan; keptBeyond: number[] } {
  const plan: PortPlan = {
    addPorts: [],
    removePorts: [],
    block: [],
    unblock: [],
    createHolds: [],
    updateHolds: [],
    removeHolds: [],
    detachVacant: [],
    moves: [],
    attached: [],
  };
  const holderAt = new Map((local?.holders ?? []).map((h) => [h.port, h]));
  const blocked = new Set(local?.blocked ?? []);
  const reservedHere = new Set(local?.reservedByGeogrid ?? []);
  const label = e.name ? `"${e.name}"` : e.id;
  for (const p of e.outputs) {
    const h = holderAt.get(p.number);
    const isOurs = h && h.clientId && !h.hold;
    if (reservedHere.has(p.number) && !p.reserved) plan.unblock.push(p.number);
    if (p.client) {
      const mine = snapshot.ours.get(p.client.id);
      if (mine && !moved.has(mine.clientId)) {
        if (h && h.clientId === mine.clientId) {
          plan.attached.push({
            clientId: mine.clientId,
            geogridClientId: p.client.id,
            port: p.number,
          });
          moved.add(mine.clientId);
          continue;
        }
        if (isOurs) {
          notes.push(portTaken(label, p.number, p.client.id, h.clientCode));
          continue;
        }
        if (h?.hold && h.clientId)
          plan.removeHolds.push({ clientId: h.clientId, propertyId: h.propertyId });
        if (h && !h.clientId) {
          plan.detachVacant.push(h.propertyId);
          notes.push(vacantNote(label, p.number));
        }
        moved.add(mine.clientId);
        const here = local !== null && mine.splitterId === local.id && mine.port === p.number;
        if (!here) {
          plan.moves.push({
            clientId: mine.clientId,
            code: mine.code,
            propertyId: mine.propertyId,
            fromBoxId: mine.boxId,
            port: p.number,
          });
          if (mine.port !== null) {
            notes.push({
              reason: 'client_moved',
              message: `client ${mine.code} is on port ${p.number} of ${label} in Geogrid: moved there from its port here`,
            });
          }
        }
        plan.attached.push({
          clientId: mine.clientId,
          geogridClientId: p.client.id,
          port: p.number,
        });
        continue;
      }
      if (mine) {
        notes.push({
          reason: 'client_on_two_ports',
          message: `client ${mine.code} is on two ports in Geogrid; port ${p.number} of ${label} is held for Geogrid`,
        });
      }
      const hold = {
        port: p.number,
        geogridClientId: p.client.id,
        geogridPortId: p.id,
        name: p.client.name,
      };
      if (isOurs) {
        notes.push(portTaken(label, p.number, p.client.id, h.clientCode));
      } else if (h?.hold && h.clientId) {
        if (
          h.hold.geogridClientId !== p.client.id ||
          h.hold.geogridPortId !== p.id ||
          h.hold.name !== p.client.name
        ) {
          plan.updateHolds.push({ ...hold, clientId: h.clientId });
        }
      } else {
        if (h && !h.clientId) {
          plan.detachVacant.push(h.propertyId);
          notes.push(vacantNote(label, p.number));
        }
        plan.createHolds.push(hold);
      }
      continue;
    }
    if (h?.hold && h.clientId)
      plan.removeHolds.push({ clientId: h.clientId, propertyId: h.propertyId });
    if (p.reserved) {
      if (isOurs) {
        notes.push({
          reason: 'port_reserved_in_geogrid',
          message: `port ${p.number} of ${label} is reserved in Geogrid while client ${h.clientCode ?? '?'} holds it here; kept here`,
        });
      } else if (!blocked.has(p.number)) {
        plan.block.push(p.number);
      }
    }
  }
  // Ports the equipment no longer has: freed, unless one of our clients is on one.
  const keptBeyond: number[] = [];
  const n = e.outputs.length;
  const before = local?.ratioOut ?? 0;
  for (let port = n + 1; port <= before; port++) {
    const h = holderAt.get(port);
    if (h && h.clientId && !h.hold) {
      keptBeyond.push(port);
      notes.push({
        reason: 'port_removed_with_client',
        message: `Geogrid no longer has port ${port} on ${label}; kept here for client ${h.clientCode ?? '?'}`,
      });
      continue;
    }
    if (h?.hold && h.clientId)
      plan.removeHolds.push({ clientId: h.clientId, propertyId: h.propertyId });
    if (h && !h.clientId) plan.detachVacant.push(h.propertyId);
    plan.removePorts.push(port);
  }
  for (let port = before + 1; port <= n; port++) plan.addPorts.push(port);
  return { plan, keptBeyond };
}

function portTaken(
  label: string,
  port: number,
  geogridClientId: string,
  ours: string | null,
): Note {
  return {
    reason: 'port_taken_in_geogrid',
    message: `port ${port} of ${label} holds Geogrid client ${geogridClientId} there and client ${ours ?? '?'} here; kept ours: sort it out in Geogrid`,
    detail: { port, geogridClientId, clientCode: ours },
  };
}

function vacantNote(label: string, port: number): Note {
  return {
    reason: 'vacant_property_detached',
    message: `port ${port} of ${label} is taken in Geogrid: the vacant property on it here was taken off the port (kept)`,
  };
}
