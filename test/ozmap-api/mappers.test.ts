import { describe, expect, it } from 'vitest';
import { keyFromHeader } from '../../src/integrations/ozmap-api/auth.js';
import {
  boxTypeToJson,
  projectToJson,
  regionTypeToJson,
  splitterTypeToJson,
  systemConfigToJson,
  tagToJson,
} from '../../src/integrations/ozmap-api/mappers/catalogue.js';
import {
  ftthClientToJson,
  propertyToJson,
  prospectToJson,
  regionToJson,
} from '../../src/integrations/ozmap-api/mappers/customers.js';
import { clientHistoryAfter } from '../../src/ozmap-model/client-history.js';
import { boxToJson, splitterToJson } from '../../src/integrations/ozmap-api/mappers/network.js';
import { applySelect, envelope } from '../../src/integrations/ozmap-api/query/envelope.js';
import { parseFilterParam } from '../../src/integrations/ozmap-api/query/filter-syntax.js';
import { parseListQuery } from '../../src/integrations/ozmap-api/query/list-query.js';

const T = new Date('2026-01-02T03:04:05.000Z');
const base = { id: 'a'.repeat(24), createdAt: T, updatedAt: T };
const times = { createdAt: T.toISOString(), updatedAt: T.toISOString() };

describe('OZmap JSON mappers', () => {
  it('box: coords [lng, lat] plus lat/lng, draft/implanted, tag ids, omitted empty optionals', () => {
    const doc = boxToJson({
      ...base,
      externalId: 'ext-1',
      name: 'CTO-1',
      projectId: 'p',
      lat: -23.4,
      lng: -51.9,
      boxTypeId: 't',
      hierarchyLevel: 2,
      implanted: false,
      draft: true,
      shared: false,
      certified: true,
      defaultReserve: 1,
      poleId: 'pole',
      address: null,
      observation: 'obs',
      color: null,
      fillColor: null,
      tags: [{ id: 'tag1' }],
    });
    expect(doc).toEqual({
      id: base.id,
      _id: base.id,
      kind: 'Box',
      external_id: 'ext-1',
      ...times,
      name: 'CTO-1',
      project: 'p',
      coords: [-51.9, -23.4],
      lat: -23.4,
      lng: -51.9,
      boxType: 't',
      hierarchyLevel: 2,
      implanted: false,
      draft: true,
      shared: false,
      certified: true,
      default_reserve: 1,
      pole: 'pole',
      tags: ['tag1'],
      cables: [],
      address: undefined,
      observation: 'obs',
      color: undefined,
      fill_color: undefined,
      underground: false,
    });
  });

  it('splitter: parent, ratio, ports sorted, output[i] = property on port i+1 or null', () => {
    const doc = splitterToJson({
      ...base,
      externalId: null,
      name: null,
      boxId: 'box',
      projectId: 'p',
      splitterTypeId: 'st',
      implanted: true,
      isDrop: true,
      isBalanced: true,
      ratioIn: 1,
      ratioOut: 4,
      orientation: 'right',
      label: '',
      attenuationJson: '[7.2]',
      observation: null,
      ports: [4, 2, 3, 1].map((index) => ({
        index,
        blocked: index === 2,
        tagsJson: '[]',
        observation: null,
      })),
      properties: [{ id: 'prop3', port: 3 }],
    });
    expect(doc).toMatchObject({
      kind: 'Splitter',
      name: '',
      parent: 'box',
      isDrop: true,
      ratio: { input: 1, output: 4 },
      attenuation: [7.2],
      connectables: { input: [null], output: [null, null, 'prop3', null] },
    });
    expect(
      (doc.ports as Array<{ index: number; blocked: boolean }>).map((p) => [p.index, p.blocked]),
    ).toEqual([
      [1, false],
      [2, true],
      [3, false],
      [4, false],
    ]);
    expect(doc).not.toHaveProperty('external_id');
  });

  const clientRow = {
    ...base,
    externalId: null,
    code: 'C1',
    name: 'Ana',
    implanted: false,
    certified: false,
    status: 1,
    onuUser: 'ana',
    onuSerial: 'ZTEG1',
    onuMac: '',
    cpeJson: null,
    observation: null,
    document: '12345678909',
    phone: null,
    email: null,
    reservationExpiresAt: T,
    tags: [],
  };

  it('ftth client: numeric status, onu object, our personal-data fields', () => {
    expect(ftthClientToJson(clientRow)).toMatchObject({
      kind: 'FTTHClient',
      code: 'C1',
      status: 1,
      onu: { user_PPPoE: 'ana', serial_number: 'ZTEG1', mac_address: '' },
      document: '12345678909',
      reservationExpiresAt: T.toISOString(),
    });
  });

  const propertyRow = {
    ...base,
    externalId: null,
    projectId: 'p',
    clientId: 'c',
    boxId: 'box',
    poleId: null,
    lat: null,
    lng: null,
    address: 'Rua',
    observation: null,
    potencyRead: -20.5,
    splitterId: 's',
    port: 3,
    historyJson: '[]',
    tags: [],
    splitter: { id: 's', name: 'S1', implanted: true },
  };

  it('property: connections from the held port, client id or populated, null coords', () => {
    const doc = propertyToJson(propertyRow);
    expect(doc).toMatchObject({
      kind: 'Property',
      client: 'c',
      box: 'box',
      coords: null,
      potencyRead: -20.5,
      connections: [
        { id: 's', name: 'S1', kind: 'Splitter', port: 3, implanted: true, fiber: null },
      ],
      history: { clients: [] },
    });
    expect(propertyToJson({ ...propertyRow, splitter: null, port: null }).connections).toEqual([]);
    expect(propertyToJson(propertyRow, { client: { code: 'C1' } }).client).toEqual({ code: 'C1' });
  });

  it('prospect, region, tag, types, project and system config', () => {
    const prospect = prospectToJson({
      ...base,
      externalId: null,
      name: null,
      code: null,
      phone: null,
      email: null,
      address: null,
      observation: null,
      viable: null,
      lat: -1,
      lng: -2,
      tags: [{ id: 't' }],
    });
    expect(prospect).toMatchObject({
      kind: 'Prospect',
      coords: [-2, -1],
      viable: null,
      tags: ['t'],
    });
    const region = regionToJson({
      ...base,
      externalId: null,
      name: 'R',
      polygonJson: '{"type":"Polygon","coordinates":[]}',
      regionTypeId: 'rt',
      observation: null,
      color: null,
      borderColor: null,
      tags: [{ id: 't' }],
      projects: [{ id: 'p' }],
    });
    expect(region).toMatchObject({
      polygon: { type: 'Polygon' },
      regionType: 'rt',
      tags: ['t'],
      projects: ['p'],
    });
    expect(
      tagToJson({ ...base, name: 'T', allowedTypesJson: '["box"]', color: null }),
    ).toMatchObject({
      kind: 'Tag',
      allowedTypes: ['box'],
    });
    const boxType = boxTypeToJson({
      ...base,
      code: 'CTO',
      prefix: '',
      brand: null,
      mold: null,
      description: null,
      defaultLevel: null,
      defaultReserve: 0,
      configJson: null,
    });
    expect(boxType).toMatchObject({ code: 'CTO', config: { draft: { fillColor: '#FFA500A6' } } });
    const st = splitterTypeToJson({
      ...base,
      code: '1x8',
      isDrop: true,
      ratioIn: 1,
      ratioOut: 8,
      isBalanced: true,
      prefix: 'Splitter ',
      size: 0,
      inputConnectionType: 0,
      outputConnectionType: 1,
      attenuationJson: '[10.5]',
      brand: null,
      mold: null,
      description: null,
    });
    expect(st).toMatchObject({
      ratio: { input: 1, output: 8 },
      attenuation: [10.5],
      outputConnectionType: 1,
    });
    const rt = regionTypeToJson({
      ...base,
      name: 'RT',
      color: 'A',
      borderColor: 'B',
      lineWidth: 2,
      description: null,
    });
    expect(rt).toMatchObject({ kind: 'RegionType', lineWidth: 2 });
    const project = projectToJson({
      ...base,
      externalId: null,
      name: 'P',
      identifier: null,
      lat: 1,
      lng: 2,
      defaultPonPotency: 5,
      dropMaxSize: 250,
      areaJson: null,
    });
    expect(project).toMatchObject({
      defaultPonPotency: 5,
      drop: { maxSize: 250, defaults: { cableType: null } },
    });
    const sys = systemConfigToJson({
      ...base,
      defaultRadiusMeters: 300,
      maxBoxesInRadius: 20,
      hierarchyLevels: {},
    });
    expect(sys).toMatchObject({ defaultRadius: 300, maxBoxesInRadius: 20, hierarchyLevels: {} });
  });

  it('client history: closes the leaving entry and opens the entering one', () => {
    const t1 = new Date('2026-01-01T00:00:00Z');
    const t2 = new Date('2026-02-01T00:00:00Z');
    const first = clientHistoryAfter([], { entering: { id: 'a', code: 'A' }, when: t1 });
    const second = clientHistoryAfter(first, {
      leaving: 'a',
      entering: { id: 'b', code: 'B' },
      when: t2,
    });
    expect(second).toEqual([
      { id: 'a', code: 'A', enter_date: t1.toISOString(), exit_date: t2.toISOString() },
      { id: 'b', code: 'B', enter_date: t2.toISOString(), exit_date: null },
    ]);
    expect(first[0]!.exit_date).toBeNull();
  });
});

describe('OZmap query helpers', () => {
  it('reads the key raw or after Bearer', () => {
    expect(keyFromHeader('alc_x')).toBe('alc_x');
    expect(keyFromHeader('Bearer alc_x')).toBe('alc_x');
    expect(keyFromHeader('bearer   alc_x ')).toBe('alc_x');
    expect(keyFromHeader('')).toBeNull();
    expect(keyFromHeader(undefined)).toBeNull();
  });

  it('parses filters: aliases, OR groups, a single object, and refuses the rest', () => {
    expect(parseFilterParam('[{"property":"a","operator":"eq","value":1}]')).toEqual([
      { property: 'a', operator: '=', value: 1 },
    ]);
    expect(parseFilterParam([[{ property: 'a', operator: 'in', value: [1] }]])).toEqual([
      [{ property: 'a', operator: 'in', value: [1] }],
    ]);
    expect(parseFilterParam({ property: 'a', operator: 'exists' })).toEqual([
      { property: 'a', operator: 'exists', value: true },
    ]);
    expect(() => parseFilterParam('[1]')).toThrow(/expected an object/);
    expect(() => parseFilterParam('[{"property":"a","operator":"~"}]')).toThrow(/unknown operator/);
    expect(() => parseFilterParam('[[]]')).toThrow(/OR group is empty/);
  });

  it('builds the envelope with a relative nextUrl carrying page, start and the filter', () => {
    const q = parseListQuery(
      { limit: '2', filter: '[{"property":"name","value":"x"}]' },
      undefined,
      {
        name: { type: 'string' },
      },
    );
    const env = envelope('/api/v2/boxes', q, 5, [{}, {}]);
    expect(env).toMatchObject({ total: 5, count: 2, start: 0, limit: 2, hasNextPage: true });
    const next = new URL(env.nextUrl!, 'http://x');
    expect(next.pathname).toBe('/api/v2/boxes');
    expect(Object.fromEntries(next.searchParams)).toEqual({
      page: '2',
      limit: '2',
      start: '2',
      filter: '[{"property":"name","operator":"=","value":"x"}]',
    });
    expect(envelope('/api/v2/boxes', q, 2, [{}, {}])).toMatchObject({
      hasNextPage: false,
      nextUrl: null,
    });
    expect(parseListQuery({ start: '7', limit: '5' }, undefined, {})).toMatchObject({
      start: 7,
      page: 2,
    });
  });

  it('select keeps id, _id and kind', () => {
    expect(applySelect({ id: 1, _id: 1, kind: 'Box', name: 'n', draft: false }, ['name'])).toEqual({
      id: 1,
      _id: 1,
      kind: 'Box',
      name: 'n',
    });
    expect(applySelect({ id: 1, name: 'n' }, null)).toEqual({ id: 1, name: 'n' });
  });
});
