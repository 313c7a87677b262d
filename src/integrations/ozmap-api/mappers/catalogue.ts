import { baseDoc, optional, parseJson, type Doc } from './common.js';
import type { SystemConfigValues } from '../../../ozmap-model/system-config.js';

interface TagRow {
  id: string;
  name: string;
  allowedTypesJson: string;
  color: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function tagToJson(row: TagRow): Doc {
  return {
    ...baseDoc('Tag', row),
    name: row.name,
    allowedTypes: parseJson<string[]>(row.allowedTypesJson, []),
    color: optional(row.color),
  };
}

interface BoxTypeRow {
  id: string;
  code: string;
  prefix: string;
  brand: string | null;
  mold: string | null;
  description: string | null;
  defaultLevel: number | null;
  defaultReserve: number;
  configJson: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const DEFAULT_BOX_TYPE_CONFIG = {
  base: { color: '#3388FFFF' },
  regular: { fillColor: '#3388FFFF' },
  not_implanted: { fillColor: '#FFA500A6' },
  draft: { fillColor: '#FFA500A6' },
};

export function boxTypeToJson(row: BoxTypeRow): Doc {
  return {
    ...baseDoc('BoxType', row),
    code: row.code,
    prefix: row.prefix,
    brand: optional(row.brand),
    mold: optional(row.mold),
    description: optional(row.description),
    default_level: optional(row.defaultLevel),
    default_reserve: row.defaultReserve,
    config: parseJson(row.configJson, DEFAULT_BOX_TYPE_CONFIG),
  };
}

interface SplitterTypeRow {
  id: string;
  code: string;
  isDrop: boolean;
  ratioIn: number;
  ratioOut: number;
  isBalanced: boolean;
  prefix: string;
  size: number;
  inputConnectionType: number;
  outputConnectionType: number;
  attenuationJson: string;
  brand: string | null;
  mold: string | null;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function splitterTypeToJson(row: SplitterTypeRow): Doc {
  return {
    ...baseDoc('SplitterType', row),
    code: row.code,
    isDrop: row.isDrop,
    ratio: { input: row.ratioIn, output: row.ratioOut },
    isBalanced: row.isBalanced,
    prefix: row.prefix,
    size: row.size,
    inputConnectionType: row.inputConnectionType,
    outputConnectionType: row.outputConnectionType,
    attenuation: parseJson<number[]>(row.attenuationJson, []),
    brand: optional(row.brand),
    mold: optional(row.mold),
    description: optional(row.description),
  };
}

interface RegionTypeRow {
  id: string;
  name: string;
  color: string;
  borderColor: string;
  lineWidth: number;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function regionTypeToJson(row: RegionTypeRow): Doc {
  return {
    ...baseDoc('RegionType', row),
    name: row.name,
    color: row.color,
    borderColor: row.borderColor,
    lineWidth: row.lineWidth,
    description: row.description,
  };
}

interface ProjectRow {
  id: string;
  externalId: string | null;
  name: string;
  identifier: string | null;
  lat: number;
  lng: number;
  defaultPonPotency: number;
  dropMaxSize: number | null;
  areaJson: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function projectToJson(row: ProjectRow): Doc {
  return {
    ...baseDoc('Project', row),
    name: row.name,
    identifier: optional(row.identifier),
    parents: [],
    lat: row.lat,
    lng: row.lng,
    defaultPonPotency: row.defaultPonPotency,
    hasLogo: false,
    drop: { maxSize: row.dropMaxSize ?? 0, defaults: { cableType: null } },
    area: optional(parseJson<unknown>(row.areaJson, null)),
  };
}

/** `defaultRadius` (metres) and `maxBoxesInRadius` are our names: OZmap's are not public. */
export function systemConfigToJson(row: SystemConfigValues): Doc {
  return {
    ...baseDoc('SystemConfig', row),
    defaultRadius: row.defaultRadiusMeters,
    maxBoxesInRadius: row.maxBoxesInRadius,
    hierarchyLevels: row.hierarchyLevels ?? {},
  };
}
