import { baseDoc, ids, optional, parseJson, pointFields, type Doc } from './common.js';

export interface FtthClientRow {
  id: string;
  externalId: string | null;
  code: string;
  name: string | null;
  implanted: boolean;
  certified: boolean;
  status: number;
  onuUser: string;
  onuSerial: string;
  onuMac: string;
  cpeJson: string | null;
  observation: string | null;
  document: string | null;
  phone: string | null;
  email: string | null;
  reservationExpiresAt: Date | null;
  reservedBy?: string | null;
  reservationMetaJson?: string | null;
  createdAt: Date;
  updatedAt: Date;
  tags: Array<{ id: string }>;
}

export function ftthClientToJson(row: FtthClientRow): Doc {
  return {
    ...baseDoc('FTTHClient', row),
    code: row.code,
    name: optional(row.name),
    observation: optional(row.observation),
    implanted: row.implanted,
    certified: row.certified,
    status: row.status,
    onu: { user_PPPoE: row.onuUser, serial_number: row.onuSerial, mac_address: row.onuMac },
    cpe: optional(parseJson<unknown>(row.cpeJson, null)),
    tags: ids(row.tags),
    document: row.document,
    phone: row.phone,
    email: row.email,
    reservationExpiresAt: row.reservationExpiresAt?.toISOString() ?? null,
    // Who reserved (integration or chat channel) and the caller's context (chat id, answers).
    reservedBy: row.reservedBy ?? null,
    reservation: parseJson<unknown>(row.reservationMetaJson ?? null, null),
  };
}

export interface PropertyRow {
  id: string;
  externalId: string | null;
  projectId: string;
  clientId: string | null;
  boxId: string | null;
  poleId: string | null;
  lat: number | null;
  lng: number | null;
  address: string | null;
  observation: string | null;
  potencyRead: number | null;
  splitterId: string | null;
  port: number | null;
  historyJson: string;
  createdAt: Date;
  updatedAt: Date;
  tags: Array<{ id: string }>;
  splitter: { id: string; name: string | null; implanted: boolean } | null;
}

export interface PropertyPopulated {
  client?: Doc | null;
  box?: Doc | null;
}

/** `connections` lists the splitter port the property is connected to (at most one here). */
export function propertyToJson(row: PropertyRow, populated: PropertyPopulated = {}): Doc {
  const connections =
    row.splitter && row.port !== null
      ? [
          {
            id: row.splitter.id,
            name: row.splitter.name ?? '',
            kind: 'Splitter',
            port: row.port,
            implanted: row.splitter.implanted,
            fiber: null,
          },
        ]
      : [];
  return {
    ...baseDoc('Property', row),
    project: row.projectId,
    ...pointFields(row),
    address: row.address,
    box: populated.box ? populated.box : optional(row.boxId),
    pole: optional(row.poleId),
    observation: row.observation,
    potencyRead: row.potencyRead,
    client: populated.client !== undefined ? populated.client : row.clientId,
    tags: ids(row.tags),
    connections,
    history: { clients: parseJson<unknown[]>(row.historyJson, []) },
  };
}

export interface ProspectRow {
  id: string;
  externalId: string | null;
  name: string | null;
  code: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  observation: string | null;
  viable: boolean | null;
  lat: number | null;
  lng: number | null;
  source?: string | null;
  metaJson?: string | null;
  createdAt: Date;
  updatedAt: Date;
  tags: Array<{ id: string }>;
}

export function prospectToJson(row: ProspectRow): Doc {
  return {
    ...baseDoc('Prospect', row),
    name: row.name,
    code: row.code,
    phone: row.phone,
    email: row.email,
    address: row.address,
    observation: row.observation,
    viable: row.viable,
    ...pointFields(row),
    tags: ids(row.tags),
    source: row.source ?? null,
    meta: parseJson<unknown>(row.metaJson ?? null, null),
  };
}

export interface RegionRow {
  id: string;
  externalId: string | null;
  name: string | null;
  polygonJson: string;
  regionTypeId: string;
  observation: string | null;
  color: string | null;
  borderColor: string | null;
  createdAt: Date;
  updatedAt: Date;
  tags: Array<{ id: string }>;
  projects: Array<{ id: string }>;
}

export function regionToJson(row: RegionRow): Doc {
  return {
    ...baseDoc('Region', row),
    name: row.name,
    polygon: parseJson<unknown>(row.polygonJson, null),
    regionType: row.regionTypeId,
    tags: ids(row.tags),
    projects: ids(row.projects),
    observation: row.observation,
    color: row.color,
    borderColor: row.borderColor,
  };
}
