import { baseDoc, ids, optional, parseJson, pointFields, type Doc } from './common.js';

export interface BoxRow {
  id: string;
  externalId: string | null;
  name: string | null;
  projectId: string;
  lat: number;
  lng: number;
  boxTypeId: string | null;
  hierarchyLevel: number;
  implanted: boolean;
  draft: boolean;
  shared: boolean;
  certified: boolean;
  defaultReserve: number;
  poleId: string | null;
  address: string | null;
  observation: string | null;
  color: string | null;
  fillColor: string | null;
  createdAt: Date;
  updatedAt: Date;
  tags: Array<{ id: string }>;
}

export function boxToJson(row: BoxRow, boxType?: Doc): Doc {
  return {
    ...baseDoc('Box', row),
    name: row.name ?? '',
    project: row.projectId,
    ...pointFields(row),
    boxType: boxType ?? row.boxTypeId,
    hierarchyLevel: row.hierarchyLevel,
    implanted: row.implanted,
    draft: row.draft,
    shared: row.shared,
    certified: row.certified,
    default_reserve: row.defaultReserve,
    pole: row.poleId,
    tags: ids(row.tags),
    cables: [],
    address: optional(row.address),
    observation: optional(row.observation),
    color: optional(row.color),
    fill_color: optional(row.fillColor),
    underground: false,
  };
}

export interface SplitterRow {
  id: string;
  externalId: string | null;
  name: string | null;
  boxId: string;
  projectId: string;
  splitterTypeId: string;
  implanted: boolean;
  isDrop: boolean;
  isBalanced: boolean;
  ratioIn: number;
  ratioOut: number;
  orientation: string;
  label: string;
  attenuationJson: string;
  observation: string | null;
  createdAt: Date;
  updatedAt: Date;
  ports: Array<{ index: number; blocked: boolean; tagsJson: string; observation: string | null }>;
  /** Properties holding a port of this splitter. */
  properties: Array<{ id: string; port: number | null }>;
}

/**
 * `connectables.output[i]` names what holds port i+1: we have no fiber documents, so it is the
 * property's id (the drop's far end); null when the port is free.
 */
export function splitterToJson(row: SplitterRow, splitterType?: Doc): Doc {
  const output: Array<string | null> = Array.from({ length: row.ratioOut }, () => null);
  for (const p of row.properties) {
    if (p.port !== null && p.port >= 1 && p.port <= row.ratioOut) output[p.port - 1] = p.id;
  }
  // Every port 1..ratioOut; only a port with something of its own has a stored row.
  const stored = new Map(row.ports.map((p) => [p.index, p]));
  const ports = Array.from({ length: row.ratioOut }, (_, i) => {
    const p = stored.get(i + 1);
    return {
      index: i + 1,
      blocked: p?.blocked ?? false,
      tags: p ? parseJson<string[]>(p.tagsJson, []) : [],
      observation: optional(p?.observation ?? null),
    };
  });
  return {
    ...baseDoc('Splitter', row),
    name: row.name ?? '',
    parent: row.boxId,
    project: row.projectId,
    splitterType: splitterType ?? row.splitterTypeId,
    implanted: row.implanted,
    isDrop: row.isDrop,
    isBalanced: row.isBalanced,
    orientation: row.orientation,
    label: row.label,
    ratio: { input: row.ratioIn, output: row.ratioOut },
    attenuation: parseJson<number[]>(row.attenuationJson, []),
    observation: optional(row.observation),
    ports,
    connectables: { input: Array.from({ length: row.ratioIn }, () => null), output },
  };
}
