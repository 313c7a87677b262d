// The Geogrid planner on its own: pure decisions from a page of Geogrid items and what we hold
// for them (no database, no HTTP). The end-to-end behaviour is in sync.test.ts and clients.test.ts.
import { describe, expect, it } from 'vitest';
import {
  changesSomething,
  fingerprint,
  inScope,
  needsPorts,
  planPage,
  planRemoval,
  type ItemPlan,
  type LocalBox,
  type LocalHolder,
  type LocalItem,
  type LocalSplitter,
  type OurClient,
  type PageSnapshot,
  type PlanContext,
  type RemoteState,
} from '../../src/integrations/geogrid/planner.js';
import type { GeogridElement } from '../../src/services/sync-settings.js';
import type {
  EquipmentSummary,
  RemoteEquipment,
  RemoteItem,
  RemotePort,
} from '../../src/integrations/geogrid/types.js';

const NOW = new Date('2026-03-10T15:00:00Z');
const HERE = { lat: -23.4253, lng: -51.9386 };

function ctx(elements: GeogridElement[] = ['service-splitters'], now = NOW): PlanContext {
  return { elements: new Set(elements), projectId: 'p1', now };
}

function summary(outputs: number, taken = 0, reserved = 0): EquipmentSummary {
  return { outputs, inputs: 1, free: outputs - taken - reserved, taken, reserved };
}

function ports(
  n: number,
  over: Record<number, Partial<RemotePort>> = {},
  prefix = 'pt',
): RemotePort[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i + 1}`,
    number: i + 1,
    client: null,
    reserved: false,
    ...over[i + 1],
  }));
}

function equipment(
  id: string,
  outputs: RemotePort[],
  over: Partial<RemoteEquipment> = {},
): RemoteEquipment {
  return { id, name: `SPL-${id}`, service: true, inputs: 1, outputs, ...over };
}

function item(id: string, over: Partial<RemoteItem> = {}): RemoteItem {
  return {
    id,
    type: 'terminal',
    name: `CTO-${id}`,
    point: { kind: 'point', point: HERE },
    observation: null,
    folderId: null,
    planned: false,
    ...over,
  };
}

function remote(
  it: RemoteItem,
  equip: RemoteEquipment[] | null,
  distribution: EquipmentSummary[] | null = null,
): RemoteState {
  const service = (equip ?? [])
    .filter((e) => e.service !== false)
    .map((e) =>
      summary(
        e.outputs.length,
        e.outputs.filter((p) => p.client).length,
        e.outputs.filter((p) => p.reserved).length,
      ),
    );
  return { item: it, summary: { service, distribution }, equipment: equip, readAt: NOW };
}

function holder(port: number, over: Partial<LocalHolder> = {}): LocalHolder {
  return {
    port,
    propertyId: `prop-${port}`,
    clientId: `client-${port}`,
    clientCode: `C-${port}`,
    hold: null,
    ...over,
  };
}

function splitter(id: string, over: Partial<LocalSplitter> = {}): LocalSplitter {
  return {
    id: `spl-${id}`,
    equipmentId: id,
    name: `SPL-${id}`,
    isDrop: true,
    ratioOut: 8,
    blocked: [],
    reservedByGeogrid: [],
    holders: [],
    ...over,
  };
}

function local(
  s: RemoteState,
  box: Partial<LocalBox> = {},
  over: Partial<LocalItem> = {},
): LocalItem {
  return {
    itemId: s.item.id,
    kind: s.item.type,
    state: 'synced',
    fingerprint: fingerprint(s),
    readAt: NOW,
    portsAt: NOW,
    box: {
      id: `box-${s.item.id}`,
      name: s.item.name,
      lat: HERE.lat,
      lng: HERE.lng,
      draft: false,
      observation: null,
      splitters: [],
      looseClients: 0,
      ...box,
    },
    pole: null,
    ...over,
  };
}

function snap(
  items: LocalItem[] = [],
  ours: OurClient[] = [],
  geogridIds: string[] = [],
): PageSnapshot {
  return {
    items: new Map(items.map((i) => [i.itemId, i])),
    ours: new Map(ours.map((o, i) => [geogridIds[i]!, o])),
  };
}

function only(plans: ItemPlan[]): ItemPlan {
  expect(plans).toHaveLength(1);
  return plans[0]!;
}

describe('Geogrid planner', () => {
  it('creates a CTO with its service splitter, holds for Geogrid clients and blocks reserved ports', () => {
    const s = remote(item('1', { observation: 'Rua A' }), [
      equipment(
        'e1',
        ports(8, { 2: { client: { id: 'g9', name: 'Ana' } }, 5: { reserved: true } }),
      ),
      equipment('e2', ports(4, {}, 'd'), { service: false }),
    ]);
    const plan = only(planPage([s], snap(), ctx()).plans);
    expect(plan).toMatchObject({
      kind: 'create',
      itemKind: 'terminal',
      box: { name: 'CTO-1', lat: HERE.lat, lng: HERE.lng, draft: false, observation: 'Rua A' },
      pole: null,
      portsRead: true,
    });
    if (plan.kind !== 'create') throw new Error('not a create');
    // Only the service splitter: distribution splitters are opt-in.
    expect(plan.splitters).toHaveLength(1);
    expect(plan.splitters[0]).toMatchObject({
      kind: 'create',
      equipmentId: 'e1',
      isDrop: true,
      outputs: 8,
      ports: {
        addPorts: [1, 2, 3, 4, 5, 6, 7, 8],
        block: [5],
        createHolds: [{ port: 2, geogridClientId: 'g9', geogridPortId: 'pt2', name: 'Ana' }],
        moves: [],
      },
    });
  });

  it('keeps to the chosen elements: boxes without service splitters, poles and distribution splitters are opt-in', () => {
    const ceo = remote(item('2', { type: 'caixa' }), [
      equipment('d1', ports(4), { service: false }),
    ]);
    ceo.summary.distribution = [summary(4)];
    const pole = remote(item('3', { type: 'poste', name: 'P-3' }), []);
    const rack = remote(item('4', { type: 'rack' }), []);

    expect(planPage([ceo, pole, rack], snap(), ctx())).toEqual({
      plans: [],
      unchanged: [],
      ignored: 3,
    });
    expect(inScope(ceo, new Set(['service-splitters']))).toBe(false);
    expect(inScope(ceo, new Set(['boxes']))).toBe(true);
    expect(inScope(pole, new Set(['poles']))).toBe(true);

    const boxesOnly = planPage([ceo], snap(), ctx(['service-splitters', 'boxes'])).plans;
    expect(boxesOnly[0]).toMatchObject({ kind: 'create', splitters: [] });
    const withDistribution = planPage(
      [ceo],
      snap(),
      ctx(['service-splitters', 'boxes', 'distribution-splitters']),
    ).plans;
    expect(withDistribution[0]).toMatchObject({
      kind: 'create',
      splitters: [{ kind: 'create', equipmentId: 'd1', isDrop: false, outputs: 4 }],
    });
  });

  it('gives a synced pole a service box of its own', () => {
    const pole = remote(item('3', { type: 'poste', name: 'P-3', observation: 'madeira' }), [
      equipment('e3', ports(8)),
    ]);
    const plan = only(planPage([pole], snap(), ctx(['service-splitters', 'poles'])).plans);
    expect(plan).toMatchObject({
      kind: 'create',
      itemKind: 'poste',
      pole: { name: 'P-3', observation: 'madeira', lat: HERE.lat },
      box: { name: 'P-3', observation: 'Caixa de atendimento do poste P-3 (Geogrid)' },
      splitters: [{ kind: 'create', equipmentId: 'e3', outputs: 8 }],
    });
  });

  it('skips what it cannot believe, with the reason', () => {
    const plans = planPage(
      [
        remote(item('5', { point: { kind: 'missing' } }), [equipment('a', ports(8))]),
        remote(item('6', { point: { kind: 'invalid', raw: '95,-200' } }), [
          equipment('b', ports(8)),
        ]),
        remote(item('7'), [
          equipment('c', [...ports(3), { id: 'x', number: 3, client: null, reserved: false }]),
        ]),
        remote(item('8'), [
          equipment(
            'd',
            ports(4).filter((p) => p.number !== 2),
          ),
        ]),
        { ...remote(item('9'), [equipment('e', ports(8))]), equipment: null },
      ],
      snap(),
      ctx(),
    ).plans;
    expect(plans.map((p) => (p.kind === 'skip' ? [p.itemId, p.reason] : p.kind))).toEqual([
      ['5', 'no_coordinates'],
      ['6', 'invalid_coordinates'],
      ['7', 'contradictory_ports'],
      ['8', 'contradictory_ports'],
      ['9', 'ports_unread'],
    ]);
    expect(plans[1]).toMatchObject({ message: expect.stringContaining('"95,-200"') as unknown });
    expect(plans[2]).toMatchObject({
      message: expect.stringContaining('lists output port 3 twice') as unknown,
    });
    expect(plans[3]).toMatchObject({
      message: expect.stringContaining('not 1 to 3') as unknown,
    });
  });

  it('leaves an unchanged item alone and reads its ports again only when needed', () => {
    const s = remote(item('10'), [equipment('e', ports(8))]);
    const mine = local(s, { splitters: [splitter('e')] });
    const counts = { ...s, equipment: null };
    expect(planPage([counts], snap([mine]), ctx())).toEqual({
      plans: [],
      unchanged: ['10'],
      ignored: 0,
    });
    expect(needsPorts(counts, mine, ctx())).toBe(false);
    // A week later the ports are read again (a swap of clients does not change the counts).
    expect(needsPorts(counts, mine, ctx(undefined, new Date(NOW.getTime() + 8 * 86_400_000)))).toBe(
      true,
    );
    // New, renamed, gone before, or with other counts: read.
    expect(needsPorts(counts, undefined, ctx())).toBe(true);
    expect(needsPorts({ ...counts, item: { ...s.item, name: 'CTO-10b' } }, mine, ctx())).toBe(true);
    expect(needsPorts(counts, { ...mine, state: 'gone' }, ctx())).toBe(true);
    expect(
      needsPorts(
        { ...counts, summary: { service: [summary(8, 1)], distribution: null } },
        mine,
        ctx(),
      ),
    ).toBe(true);
    // An item without synced equipment has no ports to read.
    const bare = remote(item('11', { type: 'caixa' }), []);
    expect(needsPorts(bare, undefined, ctx(['boxes']))).toBe(false);
  });

  it('moves a box Geogrid moved 2 km and reports it when it holds clients', () => {
    const far = { lat: HERE.lat + 0.018, lng: HERE.lng };
    const s = remote(item('12', { point: { kind: 'point', point: far } }), [
      equipment('e', ports(8)),
    ]);
    const mine = local(s, {
      splitters: [splitter('e', { holders: [holder(1)] })],
    });
    const plan = only(planPage([s], snap([mine]), ctx()).plans);
    expect(plan).toMatchObject({ kind: 'update', box: far, revived: false });
    if (plan.kind !== 'update') throw new Error('not an update');
    expect(plan.notes).toEqual([
      {
        reason: 'moved_with_clients',
        message: 'moved 2.0 km in Geogrid; it holds 1 client(s) here: check their drops',
        detail: { meters: 2002, clients: 1 },
      },
    ]);
    expect(changesSomething(plan)).toBe(true);
    // Without clients it moves quietly.
    const empty = only(
      planPage([s], snap([local(s, { splitters: [splitter('e')] })]), ctx()).plans,
    );
    expect(empty).toMatchObject({ kind: 'update', box: far, notes: [] });
  });

  it('removes what disappeared when it holds no client, and keeps it (reported) when it does', () => {
    const s = remote(item('13'), [equipment('e', ports(8))]);
    const holdOnly = local(s, {
      splitters: [
        splitter('e', {
          holders: [
            holder(3, { hold: { geogridClientId: 'g3', geogridPortId: 'pt3', name: null } }),
          ],
        }),
        splitter('here', { equipmentId: null }),
      ],
    });
    expect(planRemoval(holdOnly, 'deleted in Geogrid')).toEqual({
      kind: 'remove',
      itemId: '13',
      boxId: 'box-13',
      poleId: null,
      splitterIds: ['spl-e'],
      removeHolds: [{ clientId: 'client-3', propertyId: 'prop-3' }],
      why: 'deleted in Geogrid',
    });
    const withClient = local(s, {
      splitters: [splitter('e', { holders: [holder(1)] })],
      looseClients: 1,
    });
    expect(planRemoval(withClient, 'deleted in Geogrid')).toMatchObject({
      kind: 'keep',
      boxId: 'box-13',
      clients: 2,
      already: false,
    });
    expect(planRemoval({ ...withClient, state: 'gone' }, 'deleted in Geogrid')).toMatchObject({
      kind: 'keep',
      already: true,
    });
    // Out of scope now (its service splitter became a distribution one): removed the same way.
    const reflagged = remote(item('13', { type: 'caixa' }), [
      equipment('e', ports(8), { service: false }),
    ]);
    expect(only(planPage([reflagged], snap([holdOnly]), ctx()).plans)).toMatchObject({
      kind: 'remove',
      why: expect.stringContaining('no longer holds a service splitter') as unknown,
    });
  });

  it('puts our matched client on the port Geogrid has it on, and leaves it when it is there', () => {
    const s = remote(item('14'), [
      equipment('e', ports(8, { 6: { client: { id: 'g1', name: 'x' } } })),
    ]);
    const ours: OurClient = {
      clientId: 'client-2',
      code: 'C-2',
      propertyId: 'prop-2',
      boxId: 'box-14',
      splitterId: 'spl-e',
      port: 2,
    };
    const mine = local(s, { splitters: [splitter('e', { holders: [holder(2)] })] });
    const plan = only(planPage([s], snap([mine], [ours], ['g1']), ctx()).plans);
    if (plan.kind !== 'update') throw new Error('not an update');
    expect(plan.splitters).toEqual([
      expect.objectContaining({
        kind: 'update',
        ports: expect.objectContaining({
          moves: [
            {
              clientId: 'client-2',
              code: 'C-2',
              propertyId: 'prop-2',
              fromBoxId: 'box-14',
              port: 6,
            },
          ],
          attached: [{ clientId: 'client-2', geogridClientId: 'g1', port: 6 }],
          createHolds: [],
        }) as unknown,
      }),
    ]);
    expect(plan.notes.map((n) => n.reason)).toEqual(['client_moved']);

    const settled = local(s, {
      splitters: [splitter('e', { holders: [holder(6, { clientId: 'client-2' })] })],
    });
    const again = only(planPage([s], snap([settled], [{ ...ours, port: 6 }], ['g1']), ctx()).plans);
    if (again.kind !== 'update') throw new Error('not an update');
    expect(again.splitters[0]).toMatchObject({
      ports: { moves: [], attached: [{ clientId: 'client-2', port: 6 }] },
    });
    // Only bookkeeping (the link is confirmed): not counted as a change.
    expect(changesSomething(again)).toBe(false);
  });

  it('never takes a port from our client: a Geogrid client or reservation there is reported', () => {
    const s = remote(item('15'), [
      equipment(
        'e',
        ports(8, {
          1: { client: { id: 'g5', name: 'Bia' } },
          2: { reserved: true },
          3: { reserved: true },
        }),
      ),
    ]);
    const mine = local(s, {
      splitters: [splitter('e', { holders: [holder(1), holder(2)] })],
    });
    const plan = only(planPage([s], snap([mine]), ctx()).plans);
    if (plan.kind !== 'update') throw new Error('not an update');
    expect(plan.splitters[0]).toMatchObject({
      ports: { createHolds: [], block: [3], removeHolds: [] },
    });
    expect(plan.notes.map((n) => [n.reason, n.message])).toEqual([
      [
        'port_taken_in_geogrid',
        'port 1 of "SPL-e" holds Geogrid client g5 there and client C-1 here; kept ours: sort it out in Geogrid',
      ],
      [
        'port_reserved_in_geogrid',
        'port 2 of "SPL-e" is reserved in Geogrid while client C-2 holds it here; kept here',
      ],
    ]);
  });

  it('follows Geogrid holds and reservations as they come and go', () => {
    const s = remote(item('16'), [
      equipment('e', ports(8, { 4: { client: { id: 'g7', name: 'Novo nome' } } })),
    ]);
    const mine = local(s, {
      splitters: [
        splitter('e', {
          blocked: [5],
          reservedByGeogrid: [5],
          holders: [
            holder(4, { hold: { geogridClientId: 'g7', geogridPortId: 'pt4', name: 'Nome' } }),
            holder(7, { hold: { geogridClientId: 'g8', geogridPortId: 'pt7', name: null } }),
            holder(8, { clientId: null, clientCode: null }),
          ],
        }),
      ],
    });
    const plan = only(planPage([s], snap([mine]), ctx()).plans);
    if (plan.kind !== 'update') throw new Error('not an update');
    expect(plan.splitters[0]).toMatchObject({
      ports: {
        unblock: [5],
        updateHolds: [{ port: 4, geogridClientId: 'g7', name: 'Novo nome', clientId: 'client-4' }],
        removeHolds: [{ clientId: 'client-7', propertyId: 'prop-7' }],
        detachVacant: [],
      },
    });
  });

  it('shrinks a splitter Geogrid shrank, but keeps a port our client is on', () => {
    const s = remote(item('17'), [equipment('e', ports(4))]);
    const mine = local(s, {
      splitters: [splitter('e', { holders: [holder(6)] })],
    });
    const plan = only(planPage([s], snap([mine]), ctx()).plans);
    if (plan.kind !== 'update') throw new Error('not an update');
    expect(plan.splitters[0]).toMatchObject({
      kind: 'update',
      changes: { ratioOut: 6 },
      ports: { removePorts: [5, 7, 8] },
    });
    expect(plan.notes.map((n) => n.reason)).toEqual(['port_removed_with_client']);
  });

  it('removes a splitter gone from Geogrid, or keeps it for its clients', () => {
    const s = remote(item('18'), [equipment('e', ports(8))]);
    const mine = local(s, {
      splitters: [splitter('e'), splitter('old', { holders: [holder(1)] }), splitter('empty')],
    });
    const plan = only(planPage([s], snap([mine]), ctx()).plans);
    if (plan.kind !== 'update') throw new Error('not an update');
    expect(plan.splitters).toEqual([
      { kind: 'remove', splitterId: 'spl-old', equipmentId: 'old', keep: true, removeHolds: [] },
      {
        kind: 'remove',
        splitterId: 'spl-empty',
        equipmentId: 'empty',
        keep: false,
        removeHolds: [],
      },
    ]);
    expect(plan.notes.map((n) => n.reason)).toEqual(['splitter_gone_with_clients']);
  });

  it('revives an item that was gone or unlinked, and follows planned ⇄ built', () => {
    const s = remote(item('19', { planned: true }), [equipment('e', ports(8))]);
    const mine = local(
      remote(item('19'), [equipment('e', ports(8))]),
      {
        splitters: [splitter('e')],
      },
      { state: 'unlinked' },
    );
    const plan = only(planPage([s], snap([mine]), ctx()).plans);
    expect(plan).toMatchObject({
      kind: 'update',
      revived: true,
      box: { draft: true },
      changes: [{ field: 'draft', from: false, to: true }],
    });
  });
});
