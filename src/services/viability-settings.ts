import { z } from 'zod';
import { ValidationError } from '../errors.js';
import {
  VIABILITY_MODES,
  type SystemViabilitySettings,
  type ViabilityMode,
  type ViabilityOverrides,
} from '../ozmap-model/viability-settings.js';

export {
  DEFAULT_VIABILITY_SETTINGS,
  VIABILITY_MODES,
  type SystemViabilitySettings,
  type ViabilityMode,
  type ViabilityOverrides,
} from '../ozmap-model/viability-settings.js';

// OZmap's "Configurações › Sistema" viability settings (OZloc settings), as the system sets them,
// as an integration profile or the chatbot override them, and as one request may narrow them.

/** Bounds on every setting: a 400 names the field past them. */
export const LIMITS = {
  poleAccessDistance: { min: 1, max: 1000 },
  maxDropLength: { min: 1, max: 3000 },
  maxBoxes: { min: 1, max: 1000 },
} as const;

/** The settings one viability question runs with. */
export interface EffectiveViability extends SystemViabilitySettings {
  /** Straight-line radius (radius mode; in pole mode, where route_too_long refusals are listed). */
  radius: number;
  maxBoxes: number;
  /** A caller's stricter drop limit (metres), or undefined. */
  capDropLength?: number;
}

const int = (name: keyof typeof LIMITS) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number of metres')
    .min(LIMITS[name].min, `must be at least ${LIMITS[name].min}`)
    .max(LIMITS[name].max, `must be at most ${LIMITS[name].max}`);

/** The settings fields of a PATCH body (system-configs, integration profiles); null = inherit. */
export const ViabilitySettingsBody = z
  .object({
    viabilityMode: z.enum(VIABILITY_MODES, { error: 'must be "radius" or "poles"' }),
    poleAccessDistance: int('poleAccessDistance'),
    maxDropLength: int('maxDropLength'),
    propertyPortsAsFree: z.boolean({ error: 'must be true or false' }),
    blockedPortsAsFree: z.boolean({ error: 'must be true or false' }),
    horizontalCondos: z.boolean({ error: 'must be true or false' }),
  })
  .partial();
export type ViabilitySettingsBodyType = z.infer<typeof ViabilitySettingsBody>;

/** The API names (viabilityMode, propertyPortsAsFree, ...) → our setting names. */
export function fromBody(body: ViabilitySettingsBodyType): Partial<SystemViabilitySettings> {
  const out: Partial<SystemViabilitySettings> = {};
  if (body.viabilityMode !== undefined) out.mode = body.viabilityMode;
  if (body.poleAccessDistance !== undefined) out.poleAccessDistance = body.poleAccessDistance;
  if (body.maxDropLength !== undefined) out.maxDropLength = body.maxDropLength;
  if (body.propertyPortsAsFree !== undefined) out.propertyPortsFree = body.propertyPortsAsFree;
  if (body.blockedPortsAsFree !== undefined) out.blockedPortsFree = body.blockedPortsAsFree;
  if (body.horizontalCondos !== undefined) out.horizontalCondos = body.horizontalCondos;
  return out;
}

/** Our setting names → the API names. */
export function toBody(s: Partial<SystemViabilitySettings>): ViabilitySettingsBodyType {
  return {
    viabilityMode: s.mode,
    poleAccessDistance: s.poleAccessDistance,
    maxDropLength: s.maxDropLength,
    propertyPortsAsFree: s.propertyPortsFree,
    blockedPortsAsFree: s.blockedPortsFree,
    horizontalCondos: s.horizontalCondos,
  };
}

/**
 * The system's settings with the callers' overrides applied in order (profile, then request).
 * A later maxDropLength can only lower the cap, never lift it over an earlier one.
 */
export function effectiveSettings(
  system: SystemViabilitySettings & { radius: number; maxBoxes: number },
  ...layers: ReadonlyArray<ViabilityOverrides | undefined>
): EffectiveViability {
  const out: EffectiveViability = { ...system };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.mode !== undefined) out.mode = layer.mode;
    if (layer.radius !== undefined) out.radius = layer.radius;
    if (layer.maxBoxes !== undefined) out.maxBoxes = layer.maxBoxes;
    if (layer.poleAccessDistance !== undefined) out.poleAccessDistance = layer.poleAccessDistance;
    if (layer.propertyPortsFree !== undefined) out.propertyPortsFree = layer.propertyPortsFree;
    if (layer.blockedPortsFree !== undefined) out.blockedPortsFree = layer.blockedPortsFree;
    if (layer.horizontalCondos !== undefined) out.horizontalCondos = layer.horizontalCondos;
    if (layer.maxDropLength !== undefined) {
      out.capDropLength = Math.min(out.capDropLength ?? Infinity, layer.maxDropLength);
    }
  }
  return out;
}

/**
 * A request's own narrowing from query parameters (`mode`, `accessDistance`, `maxDropLength`,
 * `maxBoxes`): strings as they come; a bad value is a 400 naming the parameter.
 */
export function requestOverrides(query: Record<string, unknown>): ViabilityOverrides {
  const out: ViabilityOverrides = {};
  const mode = single(query.mode, 'mode');
  if (mode !== undefined) {
    if (!(VIABILITY_MODES as readonly string[]).includes(mode)) {
      throw new ValidationError(
        `mode: must be "radius" or "poles", got ${JSON.stringify(mode)}`,
        'mode',
      );
    }
    out.mode = mode as ViabilityMode;
  }
  const access = metres(query.accessDistance, 'accessDistance', LIMITS.poleAccessDistance);
  if (access !== undefined) out.poleAccessDistance = access;
  const drop = metres(query.maxDropLength, 'maxDropLength', LIMITS.maxDropLength);
  if (drop !== undefined) out.maxDropLength = drop;
  const boxes = metres(query.maxBoxes, 'maxBoxes', LIMITS.maxBoxes, 'a whole number');
  if (boxes !== undefined) out.maxBoxes = boxes;
  return out;
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${name}: must be given once`, name);
  return value.trim();
}

function metres(
  value: unknown,
  name: string,
  range: { min: number; max: number },
  what = 'a whole number of metres',
): number | undefined {
  const text = single(value, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new ValidationError(
      `${name}: must be ${what} from ${range.min} to ${range.max}, got ${JSON.stringify(text)}`,
      name,
    );
  }
  return n;
}
