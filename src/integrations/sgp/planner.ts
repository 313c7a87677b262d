// The SGP sync's decisions, as a pure function: from a page of SGP contracts and what our
// inventory holds for them, what to do with each contract (create, adopt a reservation, update
// field X from a to b, implant, cancel, or skip with a reason). No I/O: the applier carries the
// plan out, one transaction per contract.
import {
  CANCELLING_STATUSES,
  IMPLANTING_STATUSES,
  type LatLng,
  type SgpContract,
  type SgpPlacement,
} from './types.js';

export type SgpStep = 'create' | 'update' | 'cancel';

// ---- what the planner knows about our side ----------------------------------------------------

export interface LocalProperty {
  id: string;
  boxId: string | null;
  splitterId: string | null;
  port: number | null;
  lat: number | null;
  lng: number | null;
  address: string | null;
  potencyRead: number | null;
  observation: string | null;
}

export interface LocalClient {
  id: string;
  code: string;
  name: string | null;
  implanted: boolean;
  /** 0 OK, 1 ERROR. */
  status: number;
  reservedBy: string | null;
  createdAt: Date;
  property: LocalProperty | null;
}

export interface LocalSplitter {
  id: string;
  name: string | null;
  ratioOut: number;
  blocked: number[];
  /** Ports held by a property; `clientCode` null = a vacant property (its client was cancelled). */
  held: Array<{ port: number; propertyId: string; clientCode: string | null }>;
}

export interface LocalBox {
  id: string;
  name: string;
  projectId: string;
  draft: boolean;
  /** Drop splitters only, in allocation order (name, then id). */
  dropSplitters: LocalSplitter[];
}

export interface PageSnapshot {
  /** Our clients whose code is one of the page's contract ids. */
  clientsByCode: ReadonlyMap<string, LocalClient>;
  /** Boxes by exact name, for the CTO names SGP gave. */
  boxesByName: ReadonlyMap<string, LocalBox[]>;
  /** Non-implanted clients made here (chat, FindME, sales systems) by CPF/CNPJ digits. */
  reservationsByDocument: ReadonlyMap<string, LocalClient[]>;
  /** Where SGP has each contract looked up (null: no ONU on record). */
  placements: ReadonlyMap<string, SgpPlacement | null>;
}

// ---- the plan ----------------------------------------------------------------------------------

export type SkipReason =
  | 'unknown_status'
  | 'no_coordinates'
  | 'invalid_coordinates'
  | 'no_cto_in_sgp'
  | 'box_not_found'
  | 'box_name_ambiguous'
  | 'box_full';

export type NoteReason =
  | 'box_without_splitter'
  | 'box_draft'
  | 'sgp_port_missing'
  | 'sgp_port_taken'
  | 'sgp_port_blocked'
  | 'sgp_port_out_of_range'
  | 'sgp_port_vacant_property'
  | 'moved_to_sgp_port'
  | 'kept_reserved_port'
  | 'other_reservations'
  | 'invalid_coordinates';

export interface Note {
  reason: NoteReason;
  message: string;
}

export type ChangeField = 'name' | 'potencyRead' | 'coordinates' | 'address' | 'status';

export interface Change {
  field: ChangeField;
  from: string | number | LatLng | null;
  to: string | number | LatLng;
}

export type Placement =
  | {
      kind: 'port';
      boxId: string;
      boxName: string;
      splitterId: string;
      splitterName: string | null;
      /** The splitter's own port number (1-based). */
      port: number;
      /** A property left connected here by a cancelled client: the new client moves in. */
      vacantPropertyId?: string;
    }
  | { kind: 'box'; boxId: string; boxName: string };

export interface NewClient {
  code: string;
  name: string | null;
  document: string | null;
  phone: string | null;
  email: string | null;
  implanted: boolean;
  status: number;
  lat: number;
  lng: number;
  address: string | null;
  potencyRead: number | null;
}

export type ContractAction =
  | { kind: 'create'; client: NewClient; placement: Placement }
  | {
      kind: 'adopt';
      clientId: string;
      fromCode: string;
      toCode: string;
      propertyId: string | null;
      /** Where it moves to, when SGP names another free port; absent = it keeps its port. */
      move?: Extract<Placement, { kind: 'port' }>;
      fromBoxId: string | null;
    }
  | { kind: 'update'; clientId: string; propertyId: string | null; changes: Change[] }
  | { kind: 'implant'; clientId: string }
  /** Implanted client: removed, its property stays connected (the note goes to its observation). */
  | { kind: 'cancel'; clientId: string; propertyId: string | null; boxId: string | null }
  /** Non-implanted client (desistência): client and property removed, port freed. */
  | { kind: 'withdraw'; clientId: string; propertyId: string | null; boxId: string | null };

export interface ContractPlan {
  contractId: string;
  actions: ContractAction[];
  skip?: { reason: SkipReason; message: string };
  notes: Note[];
}

export interface PlanContext {
  steps: ReadonlySet<SgpStep>;
  /** The cycle's instant, for the cancellation note's date. */
  now: Date;
}

/** What the page's plans add up to, for counters that have no item per contract. */
export interface PagePlan {
  plans: ContractPlan[];
  unchanged: number;
  /** Cancelled in SGP and not here (or not this step's business): nothing to do. */
  ignored: number;
}

const COORD_EPSILON = 1e-7;
const RX_EPSILON = 0.0005;

const dateFormat = new Intl.DateTimeFormat('pt-BR', {
  timeZone: 'America/Sao_Paulo',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** The line appended to a property's observation when its implanted client is cancelled (pt-BR). */
export function cancellationNote(name: string | null, code: string, at: Date): string {
  return `Cliente removido por cancelamento no SGP em ${dateFormat.format(at)}: ${name ?? 'sem nome'}, código ${code}`;
}

/** Plans a page. Port choices made for one contract are seen by the next (no double-booking). */
export function planPage(
  contracts: readonly SgpContract[],
  snapshot: PageSnapshot,
  ctx: PlanContext,
): PagePlan {
  const held = new PortBook();
  const adopted = new Set<string>();
  const pageCodes = new Set(contracts.map((c) => c.contractId));
  const result: PagePlan = { plans: [], unchanged: 0, ignored: 0 };
  for (const contract of contracts) {
    const plan = planContract(contract, snapshot, ctx, { held, adopted, pageCodes });
    if (plan === 'unchanged') result.unchanged++;
    else if (plan === 'ignored') result.ignored++;
    else result.plans.push(plan);
  }
  return result;
}

interface PageState {
  held: PortBook;
  adopted: Set<string>;
  pageCodes: Set<string>;
}

function planContract(
  c: SgpContract,
  snapshot: PageSnapshot,
  ctx: PlanContext,
  page: PageState,
): ContractPlan | 'unchanged' | 'ignored' {
  const existing = snapshot.clientsByCode.get(c.contractId);
  if (c.status === null) {
    const relevant = existing
      ? ctx.steps.has('update') || ctx.steps.has('cancel')
      : ctx.steps.has('create');
    if (!relevant) return 'ignored';
    return skip(c, 'unknown_status', `status "${c.statusText}" is not one of SGP's statuses 1-7`);
  }
  if (CANCELLING_STATUSES.has(c.status)) {
    if (!ctx.steps.has('cancel') || !existing) return 'ignored';
    return planCancel(c, existing);
  }
  if (existing) return ctx.steps.has('update') ? planUpdate(c, existing) : 'ignored';
  if (!ctx.steps.has('create')) return 'ignored';
  return planCreate(c, snapshot, page);
}

function skip(c: SgpContract, reason: SkipReason, message: string): ContractPlan {
  return { contractId: c.contractId, actions: [], skip: { reason, message }, notes: [] };
}

function connectionStatus(c: SgpContract): number | null {
  return c.connection === 'online' ? 0 : c.connection === 'offline' ? 1 : null;
}

/** Field changes SGP brings for a client here (ERP wins); empty when nothing differs. */
function changesFor(c: SgpContract, client: LocalClient, notes: Note[]): Change[] {
  const changes: Change[] = [];
  if (c.name && c.name !== client.name)
    changes.push({ field: 'name', from: client.name, to: c.name });
  const status = connectionStatus(c);
  if (status !== null && status !== client.status) {
    changes.push({ field: 'status', from: client.status, to: status });
  }
  const p = client.property;
  if (!p) return changes;
  if (
    c.rxDbm !== null &&
    (p.potencyRead === null || Math.abs(p.potencyRead - c.rxDbm) > RX_EPSILON)
  ) {
    changes.push({ field: 'potencyRead', from: p.potencyRead, to: c.rxDbm });
  }
  if (c.coordinates.kind === 'point') {
    const to = c.coordinates.point;
    const same =
      p.lat !== null &&
      p.lng !== null &&
      Math.abs(p.lat - to.lat) <= COORD_EPSILON &&
      Math.abs(p.lng - to.lng) <= COORD_EPSILON;
    if (!same) {
      const from = p.lat !== null && p.lng !== null ? { lat: p.lat, lng: p.lng } : null;
      changes.push({ field: 'coordinates', from, to });
    }
  } else if (c.coordinates.kind === 'invalid') {
    notes.push({
      reason: 'invalid_coordinates',
      message: `SGP's coordinates "${c.coordinates.raw}" are not a point on Earth; kept ours`,
    });
  }
  if (c.address && c.address !== p.address) {
    changes.push({ field: 'address', from: p.address, to: c.address });
  }
  return changes;
}

function planUpdate(c: SgpContract, client: LocalClient): ContractPlan | 'unchanged' {
  const notes: Note[] = [];
  const actions: ContractAction[] = [];
  const changes = changesFor(c, client, notes);
  if (changes.length) {
    actions.push({
      kind: 'update',
      clientId: client.id,
      propertyId: client.property?.id ?? null,
      changes,
    });
  }
  if (!client.implanted && c.status !== null && IMPLANTING_STATUSES.has(c.status)) {
    actions.push({ kind: 'implant', clientId: client.id });
  }
  if (actions.length === 0 && notes.length === 0) return 'unchanged';
  return { contractId: c.contractId, actions, notes };
}

function planCancel(c: SgpContract, client: LocalClient): ContractPlan {
  const p = client.property;
  const action: ContractAction = {
    kind: client.implanted ? 'cancel' : 'withdraw',
    clientId: client.id,
    propertyId: p?.id ?? null,
    boxId: p?.boxId ?? null,
  };
  return { contractId: c.contractId, actions: [action], notes: [] };
}

/** The box SGP names for the contract, or why there is none. */
function sgpBox(
  c: SgpContract,
  snapshot: PageSnapshot,
): { box: LocalBox; placement: SgpPlacement } | { reason: SkipReason; message: string } {
  const placement = snapshot.placements.get(c.contractId);
  if (!placement?.ctoName) {
    return { reason: 'no_cto_in_sgp', message: 'SGP has no CTO (caixa) for this contract' };
  }
  const boxes = snapshot.boxesByName.get(placement.ctoName) ?? [];
  if (boxes.length === 0) {
    return { reason: 'box_not_found', message: `no box named "${placement.ctoName}" here` };
  }
  if (boxes.length > 1) {
    return {
      reason: 'box_name_ambiguous',
      message: `${boxes.length} boxes are named "${placement.ctoName}" here: rename all but one`,
    };
  }
  return { box: boxes[0]!, placement };
}

function planCreate(c: SgpContract, snapshot: PageSnapshot, page: PageState): ContractPlan {
  const candidates = (
    c.document ? (snapshot.reservationsByDocument.get(c.document) ?? []) : []
  ).filter((r) => !page.adopted.has(r.id) && !page.pageCodes.has(r.code));
  if (candidates.length) return planAdoption(c, candidates, snapshot, page);

  if (c.coordinates.kind === 'missing') {
    return skip(c, 'no_coordinates', 'SGP has no coordinates for this contract');
  }
  if (c.coordinates.kind === 'invalid') {
    return skip(
      c,
      'invalid_coordinates',
      `SGP's coordinates "${c.coordinates.raw}" are not a point on Earth`,
    );
  }
  const found = sgpBox(c, snapshot);
  if ('reason' in found) return skip(c, found.reason, found.message);
  const { box, placement } = found;
  const notes: Note[] = [];
  if (box.draft) {
    notes.push({
      reason: 'box_draft',
      message: `box "${box.name}" is marked Em projeto here; connected anyway`,
    });
  }
  let where: Placement;
  if (box.dropSplitters.length === 0) {
    where = { kind: 'box', boxId: box.id, boxName: box.name };
    notes.push({
      reason: 'box_without_splitter',
      message: `box "${box.name}" has no drop splitter: client created in the box, not connected`,
    });
  } else {
    const chosen = choosePort(box, placement.port, page.held, notes);
    if (!chosen) {
      return skip(c, 'box_full', `box "${box.name}" has no free port`);
    }
    where = chosen;
    page.held.take(chosen.splitterId, chosen.port);
  }
  const point = c.coordinates.point;
  const status = connectionStatus(c) ?? 0;
  return {
    contractId: c.contractId,
    actions: [
      {
        kind: 'create',
        client: {
          code: c.contractId,
          name: c.name,
          document: c.document,
          phone: c.phone,
          email: c.email,
          implanted: c.status !== null && IMPLANTING_STATUSES.has(c.status),
          status,
          lat: point.lat,
          lng: point.lng,
          address: c.address,
          potencyRead: c.rxDbm ?? snapshot.placements.get(c.contractId)?.rxDbm ?? null,
        },
        placement: where,
      },
    ],
    notes,
  };
}

/** SGP's port number across the box's drop splitters, in order: 1..n of the first, then the next. */
function locate(box: LocalBox, sgpPort: number): { splitter: LocalSplitter; port: number } | null {
  let offset = 0;
  for (const s of box.dropSplitters) {
    if (sgpPort <= offset + s.ratioOut) return { splitter: s, port: sgpPort - offset };
    offset += s.ratioOut;
  }
  return null;
}

function holderOf(s: LocalSplitter, port: number) {
  return s.held.find((h) => h.port === port);
}

/**
 * SGP's port when it is free here (or holds a vacant property, which the client moves into),
 * else the box's first free port, saying why in a note. Null when the box is full.
 */
function choosePort(
  box: LocalBox,
  sgpPort: number | null,
  held: PortBook,
  notes: Note[],
): Extract<Placement, { kind: 'port' }> | null {
  const base = { kind: 'port' as const, boxId: box.id, boxName: box.name };
  let why: Note | undefined;
  if (sgpPort === null) {
    why = { reason: 'sgp_port_missing', message: 'SGP names no port' };
  } else {
    const at = locate(box, sgpPort);
    if (!at) {
      why = {
        reason: 'sgp_port_out_of_range',
        message: `SGP's port ${sgpPort} is beyond the box's ports`,
      };
    } else if (at.splitter.blocked.includes(at.port)) {
      why = { reason: 'sgp_port_blocked', message: `SGP's port ${sgpPort} is blocked here` };
    } else if (held.has(at.splitter.id, at.port)) {
      why = {
        reason: 'sgp_port_taken',
        message: `SGP's port ${sgpPort} was just given to another contract`,
      };
    } else {
      const holder = holderOf(at.splitter, at.port);
      const here = {
        ...base,
        splitterId: at.splitter.id,
        splitterName: at.splitter.name,
        port: at.port,
      };
      if (!holder) return here;
      if (holder.clientCode === null) {
        notes.push({
          reason: 'sgp_port_vacant_property',
          message: `SGP's port ${sgpPort} holds the property of a cancelled client: the new client takes it`,
        });
        return { ...here, vacantPropertyId: holder.propertyId };
      }
      why = {
        reason: 'sgp_port_taken',
        message: `SGP's port ${sgpPort} is taken here by client ${holder.clientCode}`,
      };
    }
  }
  for (const s of box.dropSplitters) {
    for (let port = 1; port <= s.ratioOut; port++) {
      if (s.blocked.includes(port) || holderOf(s, port) || held.has(s.id, port)) continue;
      notes.push({
        reason: why.reason,
        message: `${why.message}: connected at ${s.name ?? 'splitter'} port ${port}`,
      });
      return { ...base, splitterId: s.id, splitterName: s.name, port };
    }
  }
  return null;
}

function planAdoption(
  c: SgpContract,
  candidates: LocalClient[],
  snapshot: PageSnapshot,
  page: PageState,
): ContractPlan {
  const found = sgpBox(c, snapshot);
  const sgp = 'box' in found ? found : undefined;
  // The reservation already in SGP's box, else the most recent one.
  const sorted = [...candidates].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const chosen = sorted.find((r) => sgp && r.property?.boxId === sgp.box.id) ?? sorted[0]!;
  page.adopted.add(chosen.id);
  const notes: Note[] = [];
  const p = chosen.property;
  let move: Extract<Placement, { kind: 'port' }> | undefined;
  if (sgp && sgp.placement.port !== null && p) {
    const at = locate(sgp.box, sgp.placement.port);
    const same = at && p.splitterId === at.splitter.id && p.port === at.port;
    if (at && !same) {
      const free =
        !at.splitter.blocked.includes(at.port) &&
        !holderOf(at.splitter, at.port) &&
        !page.held.has(at.splitter.id, at.port);
      if (free) {
        move = {
          kind: 'port',
          boxId: sgp.box.id,
          boxName: sgp.box.name,
          splitterId: at.splitter.id,
          splitterName: at.splitter.name,
          port: at.port,
        };
        page.held.take(at.splitter.id, at.port);
        notes.push({
          reason: 'moved_to_sgp_port',
          message: `moved from its reserved port to SGP's port ${sgp.placement.port} of box "${sgp.box.name}"`,
        });
      } else {
        notes.push({
          reason: 'kept_reserved_port',
          message: `SGP's port ${sgp.placement.port} of box "${sgp.box.name}" is not free here: kept the reserved port`,
        });
      }
    }
  } else if (!sgp && 'reason' in found && found.reason !== 'no_cto_in_sgp') {
    notes.push({
      reason: 'kept_reserved_port',
      message: `${found.message}: kept the reserved port`,
    });
  }
  const others = candidates.filter((r) => r !== chosen);
  if (others.length) {
    notes.push({
      reason: 'other_reservations',
      message: `${others.length} more reservation(s) for the same CPF/CNPJ remain (${others.map((o) => o.code).join(', ')}) until they expire`,
    });
  }
  const actions: ContractAction[] = [
    {
      kind: 'adopt',
      clientId: chosen.id,
      fromCode: chosen.code,
      toCode: c.contractId,
      propertyId: p?.id ?? null,
      fromBoxId: p?.boxId ?? null,
      ...(move ? { move } : {}),
    },
  ];
  const changes = changesFor(c, chosen, notes);
  if (changes.length)
    actions.push({ kind: 'update', clientId: chosen.id, propertyId: p?.id ?? null, changes });
  if (c.status !== null && IMPLANTING_STATUSES.has(c.status)) {
    actions.push({ kind: 'implant', clientId: chosen.id });
  }
  return { contractId: c.contractId, actions, notes };
}

/** Ports given out while planning a page. */
class PortBook {
  private readonly taken = new Set<string>();
  has(splitterId: string, port: number): boolean {
    return this.taken.has(`${splitterId}:${port}`);
  }
  take(splitterId: string, port: number): void {
    this.taken.add(`${splitterId}:${port}`);
  }
}
