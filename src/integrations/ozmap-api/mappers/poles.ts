// OZmap JSON for poles, spans and horizontal condominiums (issue 17). Pure functions of rows.
import { haversineMeters, roundDistance } from '../../../viability/index.js';
import { baseDoc, optional, parseJson, type Doc } from './common.js';

export interface PoleRow {
  id: string;
  externalId: string | null;
  name: string | null;
  projectId: string;
  lat: number;
  lng: number;
  observation: string | null;
  createdAt: Date;
  updatedAt: Date;
  spansFrom?: Array<{ poleBId: string }>;
  spansTo?: Array<{ poleAId: string }>;
}

/** A pole as OZmap's SDK reads it; `adjacents` are the poles its spans lead to. */
export function poleToJson(row: PoleRow): Doc {
  const adjacents = [
    ...new Set([
      ...(row.spansFrom ?? []).map((s) => s.poleBId),
      ...(row.spansTo ?? []).map((s) => s.poleAId),
    ]),
  ].sort();
  return {
    ...baseDoc('Pole', row),
    name: row.name ?? '',
    project: row.projectId,
    coords: [row.lng, row.lat],
    lat: row.lat,
    lng: row.lng,
    observation: row.observation ?? '',
    usable: true,
    poleType: null,
    tags: [],
    adjacents,
  };
}

export interface SpanRow {
  id: string;
  externalId: string | null;
  name: string | null;
  projectId: string;
  poleAId: string;
  poleBId: string;
  length: number | null;
  cable: string | null;
  createdAt: Date;
  updatedAt: Date;
  poleA: { lat: number; lng: number };
  poleB: { lat: number; lng: number };
}

/**
 * A span: its two poles, the length routes use (the given one, else the great circle between the
 * poles, to the centimetre) and whether it was given (`measured`), and its line for maps.
 */
export function spanToJson(row: SpanRow): Doc {
  const straight = haversineMeters(row.poleA.lat, row.poleA.lng, row.poleB.lat, row.poleB.lng);
  return {
    ...baseDoc('Span', row),
    name: optional(row.name),
    project: row.projectId,
    poles: [row.poleAId, row.poleBId],
    length: row.length ?? roundDistance(straight),
    measured: row.length !== null,
    cable: optional(row.cable),
    geometry: {
      type: 'LineString',
      coordinates: [
        [row.poleA.lng, row.poleA.lat],
        [row.poleB.lng, row.poleB.lat],
      ],
    },
  };
}

export interface CondoRow {
  id: string;
  externalId: string | null;
  name: string | null;
  projectId: string;
  polygonJson: string;
  address: string | null;
  observation: string | null;
  color: string | null;
  createdAt: Date;
  updatedAt: Date;
  tags: Array<{ id: string }>;
}

/** A horizontal condominium (gated community), with the ids of the boxes inside it. */
export function condoToJson(row: CondoRow, boxes: readonly string[]): Doc {
  return {
    ...baseDoc('HorizontalCondominium', row),
    name: row.name,
    project: row.projectId,
    polygon: parseJson<unknown>(row.polygonJson, null),
    address: row.address,
    observation: row.observation,
    color: row.color,
    tags: row.tags.map((t) => t.id),
    boxes,
  };
}
