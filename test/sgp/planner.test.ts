import { describe, expect, it } from 'vitest';
import {
  cancellationNote,
  planPage,
  type LocalBox,
  type LocalClient,
  type PageSnapshot,
  type SgpStep,
} from '../../src/integrations/sgp/planner.js';
import type { SgpContract, SgpPlacement } from '../../src/integrations/sgp/types.js';

const NOW = new Date('2026-03-10T15:00:00Z');
const ALL: ReadonlySet<SgpStep> = new Set(['create', 'update', 'cancel']);

function contract(id: string, over: Partial<SgpContract> = {}): SgpContract {
  return {
    contractId: id,
    customerId: `c${id}`,
    name: `Cliente ${id}`,
    document: null,
    status: 1,
    statusText: 'Ativo',
    address: 'Av. Brasil, 100 - Zona 01, Maringá - PR',
    coordinates: { kind: 'point', point: { lat: -23.4253, lng: -51.9386 } },
    connection: 'online',
    rxDbm: -19.5,
    phone: null,
    email: null,
    ...over,
  };
}

function box(
  name: string,
  splitters: Array<Partial<LocalBox['dropSplitters'][number]>> = [{}],
): LocalBox {
  return {
    id: `box-${name}`,
    name,
    projectId: 'p1',
    draft: false,
    dropSplitters: splitters.map((s, i) => ({
      id: `${name}-s${i + 1}`,
      name: `S${i + 1}`,
      ratioOut: 8,
      blocked: [],
      held: [],
      ...s,
    })),
  };
}

function local(code: string, over: Partial<LocalClient> = {}): LocalClient {
  return {
    id: `id-${code}`,
    code,
    name: `Cliente ${code}`,
    implanted: true,
    status: 0,
    reservedBy: 'sgp:erp',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    property: {
      id: `prop-${code}`,
      boxId: 'box-CTO-1',
      splitterId: 'CTO-1-s1',
      port: 1,
      lat: -23.4253,
      lng: -51.9386,
      address: 'Av. Brasil, 100 - Zona 01, Maringá - PR',
      potencyRead: -19.5,
      observation: null,
    },
    ...over,
  };
}

function snapshot(s: {
  clients?: LocalClient[];
  boxes?: LocalBox[];
  placements?: Array<[string, Partial<SgpPlacement> | null]>;
  reservations?: Array<[string, LocalClient[]]>;
}): PageSnapshot {
  const boxesByName = new Map<string, LocalBox[]>();
  for (const b of s.boxes ?? []) boxesByName.set(b.name, [...(boxesByName.get(b.name) ?? []), b]);
  return {
    clientsByCode: new Map((s.clients ?? []).map((c) => [c.code, c])),
    boxesByName,
    reservationsByDocument: new Map(s.reservations ?? []),
    placements: new Map(
      (s.placements ?? []).map(([id, p]) => [
        id,
        p && { contractId: id, ctoName: null, port: null, rxDbm: null, ...p },
      ]),
    ),
  };
}

function only(steps: SgpStep[]): ReadonlySet<SgpStep> {
  return new Set(steps);
}

describe('SGP planner', () => {
  it("creates a new contract at SGP's port in the box of the same name", () => {
    const plan = planPage(
      [contract('10')],
      snapshot({ boxes: [box('CTO-1')], placements: [['10', { ctoName: 'CTO-1', port: 3 }]] }),
      { steps: ALL, now: NOW },
    );
    expect(plan.plans).toEqual([
      {
        contractId: '10',
        notes: [],
        actions: [
          {
            kind: 'create',
            client: {
              code: '10',
              name: 'Cliente 10',
              document: null,
              phone: null,
              email: null,
              implanted: true,
              status: 0,
              lat: -23.4253,
              lng: -51.9386,
              address: 'Av. Brasil, 100 - Zona 01, Maringá - PR',
              potencyRead: -19.5,
            },
            placement: {
              kind: 'port',
              boxId: 'box-CTO-1',
              boxName: 'CTO-1',
              splitterId: 'CTO-1-s1',
              splitterName: 'S1',
              port: 3,
            },
          },
        ],
      },
    ]);
  });

  it('counts SGP ports across the drop splitters, and takes the first free port when SGP names none or a taken one', () => {
    const b = box('CTO-1', [
      { held: [{ port: 1, propertyId: 'p', clientCode: '99' }] },
      { ratioOut: 8 },
    ]);
    const plan = planPage(
      [contract('1'), contract('2'), contract('3'), contract('4', { status: 6 })],
      snapshot({
        boxes: [b],
        placements: [
          ['1', { ctoName: 'CTO-1', port: 12 }],
          ['2', { ctoName: 'CTO-1', port: 1 }],
          ['3', { ctoName: 'CTO-1' }],
          ['4', { ctoName: 'CTO-1', port: 40 }],
        ],
      }),
      { steps: ALL, now: NOW },
    );
    const placed = plan.plans.map((p) => {
      const a = p.actions[0];
      return a?.kind === 'create' && a.placement.kind === 'port'
        ? [a.placement.splitterId, a.placement.port, p.notes.map((n) => n.reason)]
        : null;
    });
    expect(placed).toEqual([
      ['CTO-1-s2', 4, []],
      // Port 1 is client 99's: the first free one (2), and the next contract does not get it twice.
      ['CTO-1-s1', 2, ['sgp_port_taken']],
      ['CTO-1-s1', 3, ['sgp_port_missing']],
      ['CTO-1-s1', 4, ['sgp_port_out_of_range']],
    ]);
    expect(plan.plans[1]?.notes[0]?.message).toBe(
      "SGP's port 1 is taken here by client 99: connected at S1 port 2",
    );
  });

  it("moves a new client into a cancelled client's property still connected at SGP's port", () => {
    const b = box('CTO-1', [{ held: [{ port: 5, propertyId: 'vacant', clientCode: null }] }]);
    const plan = planPage(
      [contract('7')],
      snapshot({ boxes: [b], placements: [['7', { ctoName: 'CTO-1', port: 5 }]] }),
      { steps: ALL, now: NOW },
    );
    expect(plan.plans[0]?.actions[0]).toMatchObject({
      kind: 'create',
      placement: { splitterId: 'CTO-1-s1', port: 5, vacantPropertyId: 'vacant' },
    });
    expect(plan.plans[0]?.notes.map((n) => n.reason)).toEqual(['sgp_port_vacant_property']);
  });

  it('creates the client unconnected in a box without drop splitter', () => {
    const plan = planPage(
      [contract('8')],
      snapshot({
        boxes: [box('CTO-SEM', [])],
        placements: [['8', { ctoName: 'CTO-SEM', port: 2 }]],
      }),
      { steps: ALL, now: NOW },
    );
    expect(plan.plans[0]?.actions[0]).toMatchObject({
      kind: 'create',
      placement: { kind: 'box', boxId: 'box-CTO-SEM' },
    });
    expect(plan.plans[0]?.notes.map((n) => n.reason)).toEqual(['box_without_splitter']);
  });

  it('skips with a reason what it cannot place, and goes on with the rest', () => {
    const full = box('CTO-CHEIA', [
      { ratioOut: 2, blocked: [1], held: [{ port: 2, propertyId: 'x', clientCode: '5' }] },
    ]);
    const plan = planPage(
      [
        contract('1'),
        contract('2'),
        contract('3'),
        contract('4'),
        contract('5', { coordinates: { kind: 'missing' } }),
        contract('6', { coordinates: { kind: 'invalid', raw: '-123,-51' } }),
        contract('7', { status: null, statusText: 'Bloqueado' }),
        contract('8'),
      ],
      snapshot({
        boxes: [full, box('CTO-DUP'), box('CTO-DUP'), box('CTO-OK')],
        placements: [
          ['1', { ctoName: 'CTO-NENHUMA', port: 1 }],
          ['2', { ctoName: 'CTO-DUP', port: 1 }],
          ['3', { ctoName: 'CTO-CHEIA', port: 1 }],
          ['4', null],
          ['5', { ctoName: 'CTO-OK', port: 1 }],
          ['6', { ctoName: 'CTO-OK', port: 1 }],
          ['8', { ctoName: 'CTO-OK', port: 1 }],
        ],
      }),
      { steps: ALL, now: NOW },
    );
    expect(plan.plans.map((p) => [p.contractId, p.skip?.reason ?? p.actions[0]?.kind])).toEqual([
      ['1', 'box_not_found'],
      ['2', 'box_name_ambiguous'],
      ['3', 'box_full'],
      ['4', 'no_cto_in_sgp'],
      ['5', 'no_coordinates'],
      ['6', 'invalid_coordinates'],
      ['7', 'unknown_status'],
      ['8', 'create'],
    ]);
    expect(plan.plans[0]?.skip?.message).toBe('no box named "CTO-NENHUMA" here');
    expect(plan.plans[6]?.skip?.message).toBe(
      'status "Bloqueado" is not one of SGP\'s statuses 1-7',
    );
  });

  it('updates only what differs (ERP wins), maps Online/Offline to OK/ERROR and implants on 1, 4, 6, 7', () => {
    const same = local('1');
    const plan = planPage(
      [
        contract('1'),
        contract('2', { name: 'Novo Nome', rxDbm: -21.25, connection: 'offline' }),
        contract('3', {
          coordinates: { kind: 'point', point: { lat: -23.43, lng: -51.94 } },
          address: 'Rua Nova, 5',
          rxDbm: null,
        }),
        contract('4', { status: 6 }),
        contract('5', { status: 2 }),
        contract('6', { status: 7, rxDbm: -19.5002 }),
      ],
      snapshot({
        clients: [
          same,
          local('2'),
          local('3'),
          local('4', { implanted: false }),
          local('5', { implanted: false }),
          local('6', { implanted: false }),
        ],
      }),
      { steps: only(['update']), now: NOW },
    );
    expect(plan.unchanged).toBe(2);
    expect(plan.plans.map((p) => [p.contractId, p.actions])).toEqual([
      [
        '2',
        [
          {
            kind: 'update',
            clientId: 'id-2',
            propertyId: 'prop-2',
            changes: [
              { field: 'name', from: 'Cliente 2', to: 'Novo Nome' },
              { field: 'status', from: 0, to: 1 },
              { field: 'potencyRead', from: -19.5, to: -21.25 },
            ],
          },
        ],
      ],
      [
        '3',
        [
          {
            kind: 'update',
            clientId: 'id-3',
            propertyId: 'prop-3',
            changes: [
              {
                field: 'coordinates',
                from: { lat: -23.4253, lng: -51.9386 },
                to: { lat: -23.43, lng: -51.94 },
              },
              {
                field: 'address',
                from: 'Av. Brasil, 100 - Zona 01, Maringá - PR',
                to: 'Rua Nova, 5',
              },
            ],
          },
        ],
      ],
      ['4', [{ kind: 'implant', clientId: 'id-4' }]],
      // Inativo (2) does not implant; -19.5002 is the same reading as -19.5.
      ['6', [{ kind: 'implant', clientId: 'id-6' }]],
    ]);
  });

  it('keeps our coordinates when SGP sends invalid ones, and says so', () => {
    const plan = planPage(
      [contract('1', { coordinates: { kind: 'invalid', raw: '0,999' } })],
      snapshot({ clients: [local('1')] }),
      { steps: ALL, now: NOW },
    );
    expect(plan.plans[0]).toMatchObject({
      actions: [],
      notes: [{ reason: 'invalid_coordinates' }],
    });
  });

  it('cancels on 3 and 5 only in the cancellation step: implanted → cancel, reserved → withdraw', () => {
    const contracts = [
      contract('1', { status: 3 }),
      contract('2', { status: 5 }),
      contract('3', { status: 3 }),
    ];
    const snap = snapshot({ clients: [local('1'), local('2', { implanted: false })] });
    expect(planPage(contracts, snap, { steps: only(['create', 'update']), now: NOW })).toEqual({
      plans: [],
      unchanged: 0,
      ignored: 3,
    });
    const plan = planPage(contracts, snap, { steps: only(['cancel']), now: NOW });
    expect(plan.plans.map((p) => p.actions)).toEqual([
      [{ kind: 'cancel', clientId: 'id-1', propertyId: 'prop-1', boxId: 'box-CTO-1' }],
      [{ kind: 'withdraw', clientId: 'id-2', propertyId: 'prop-2', boxId: 'box-CTO-1' }],
    ]);
    expect(plan.ignored).toBe(1);
    expect(cancellationNote('Maria Souza', '98765', NOW)).toBe(
      'Cliente removido por cancelamento no SGP em 10/03/2026: Maria Souza, código 98765',
    );
  });

  it('adopts a reservation of the same CPF instead of creating a second client', () => {
    const chat = local('CHAT-abc', {
      implanted: false,
      reservedBy: 'chatbot:web',
      name: 'maria',
      status: 0,
      createdAt: new Date('2026-03-09T10:00:00Z'),
      property: { ...local('x').property!, id: 'prop-chat', port: 2, splitterId: 'CTO-1-s1' },
    });
    const older = local('FINDME-1', {
      implanted: false,
      reservedBy: 'fivehub',
      createdAt: new Date('2026-03-01T10:00:00Z'),
      property: {
        ...local('x').property!,
        id: 'prop-old',
        boxId: 'box-CTO-9',
        splitterId: 'CTO-9-s1',
      },
    });
    const b = box('CTO-1', [
      { held: [{ port: 2, propertyId: 'prop-chat', clientCode: 'CHAT-abc' }] },
    ]);
    const base = {
      boxes: [b],
      reservations: [['52998224725', [older, chat]]] as Array<[string, LocalClient[]]>,
    };
    const c = contract('500', { document: '52998224725', status: 6, name: 'Maria Souza' });

    // SGP names the port it already holds: it keeps it.
    const kept = planPage(
      [c],
      snapshot({ ...base, placements: [['500', { ctoName: 'CTO-1', port: 2 }]] }),
      {
        steps: ALL,
        now: NOW,
      },
    );
    expect(kept.plans[0]?.actions).toEqual([
      {
        kind: 'adopt',
        clientId: 'id-CHAT-abc',
        fromCode: 'CHAT-abc',
        toCode: '500',
        propertyId: 'prop-chat',
        fromBoxId: 'box-CTO-1',
      },
      {
        kind: 'update',
        clientId: 'id-CHAT-abc',
        propertyId: 'prop-chat',
        changes: [{ field: 'name', from: 'maria', to: 'Maria Souza' }],
      },
      { kind: 'implant', clientId: 'id-CHAT-abc' },
    ]);
    expect(kept.plans[0]?.notes.map((n) => n.reason)).toEqual(['other_reservations']);

    // SGP names another free port: it moves there.
    const moved = planPage(
      [c],
      snapshot({ ...base, placements: [['500', { ctoName: 'CTO-1', port: 6 }]] }),
      {
        steps: ALL,
        now: NOW,
      },
    );
    expect(moved.plans[0]?.actions[0]).toMatchObject({
      kind: 'adopt',
      move: { boxId: 'box-CTO-1', splitterId: 'CTO-1-s1', port: 6 },
    });
    // Two contracts of one customer on one page never adopt the same reservation.
    const two = planPage(
      [c, contract('501', { document: '52998224725', status: 6 })],
      snapshot({
        ...base,
        placements: [
          ['500', null],
          ['501', null],
        ],
      }),
      { steps: ALL, now: NOW },
    );
    expect(
      two.plans.map((p) => (p.actions[0]?.kind === 'adopt' ? p.actions[0].fromCode : null)),
    ).toEqual(['CHAT-abc', 'FINDME-1']);
  });
});
