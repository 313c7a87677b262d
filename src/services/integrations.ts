import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { Db } from '../ozmap-model/db/client.js';
import { isUniqueViolation } from '../ozmap-model/db/client.js';
import {
  deleteIntegrationViability,
  getIntegrationViability,
  saveIntegrationViability,
} from '../ozmap-model/viability-settings.js';
import {
  LIMITS,
  VIABILITY_MODES,
  type ViabilityMode,
  type ViabilityOverrides,
} from './viability-settings.js';

export const INTEGRATION_KINDS = ['conecteai', 'ispbox', 'fivehub', 'generic', 'admin'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

export interface IntegrationProfile {
  name: string;
  kind: IntegrationKind;
  /** Days until an unconfirmed reservation is released; null = never. */
  reservationDays: number | null;
  /** Viability radius for this caller; undefined = the system default. */
  defaultRadiusMeters?: number;
  /** Tags added to every prospect this caller records. */
  prospectTags: string[];
  mayReserve: boolean;
  /** Viability settings this caller overrides (mode, drop cap, port policies...); radius above. */
  viability: ViabilityOverrides;
}

/** Per-integration viability settings as the admin API and CLI set them; null = the system's. */
export interface ViabilityInput {
  viabilityMode?: string | null;
  poleAccessDistance?: number | null;
  maxDropLength?: number | null;
  maxBoxes?: number | null;
  propertyPortsAsFree?: boolean | null;
  blockedPortsAsFree?: boolean | null;
  horizontalCondos?: boolean | null;
}

export interface IntegrationInput extends ViabilityInput {
  name?: string;
  kind?: string;
  reservationDays?: number | null;
  defaultRadiusMeters?: number | null;
  prospectTags?: string[];
  mayReserve?: boolean;
}

/** What each kind of caller gets unless its profile says otherwise (seeds 001, 003, 004). */
export function kindDefaults(
  kind: IntegrationKind,
  chatbotDays: number,
): Pick<IntegrationProfile, 'reservationDays' | 'mayReserve'> {
  switch (kind) {
    case 'conecteai':
      return { reservationDays: 7, mayReserve: true };
    case 'ispbox':
      return { reservationDays: 30, mayReserve: true };
    case 'fivehub':
      return { reservationDays: chatbotDays, mayReserve: true };
    case 'generic':
    case 'admin':
      return { reservationDays: null, mayReserve: true };
  }
}

function isKind(value: string): value is IntegrationKind {
  return (INTEGRATION_KINDS as readonly string[]).includes(value);
}

type Row = Awaited<ReturnType<Db['integration']['findMany']>>[number];

/**
 * Integration profiles: an API key names its integration, whose settings apply to its calls.
 * A key bound to a bare kind name (`conecteai`) works without a row, with that kind's defaults.
 * Profiles are cached for a few seconds so the hot API path does not read them every call.
 */
export class Integrations {
  private cache = new Map<string, { profile: IntegrationProfile; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly chatbotDays: number,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async profile(name: string): Promise<IntegrationProfile> {
    const cached = this.cache.get(name);
    if (cached && cached.until > this.now()) return cached.profile;
    const row = await this.db.integration.findUnique({ where: { name } });
    const profile = row
      ? this.toProfile(row, await getIntegrationViability(this.db, name))
      : this.implicit(name);
    this.cache.set(name, { profile, until: this.now() + this.ttlMs });
    return profile;
  }

  async list(): Promise<IntegrationProfile[]> {
    const rows = await this.db.integration.findMany({ orderBy: { name: 'asc' } });
    return Promise.all(
      rows.map(async (r) => this.toProfile(r, await getIntegrationViability(this.db, r.name))),
    );
  }

  async create(input: IntegrationInput): Promise<IntegrationProfile> {
    const name = input.name?.trim() ?? '';
    if (!/^[\w.-]{1,64}$/.test(name)) {
      throw new ValidationError('name must be 1-64 characters from letters, digits, _ . -', 'name');
    }
    const kind = input.kind ?? (isKind(name) ? name : undefined);
    if (!kind || !isKind(kind)) {
      throw new ValidationError(`kind must be one of ${INTEGRATION_KINDS.join(', ')}`, 'kind');
    }
    const data = this.validated(input);
    const viability = validatedViability(input);
    try {
      const row = await this.db.$transaction(async (tx) => {
        const created = await tx.integration.create({ data: { id: newId(), name, kind, ...data } });
        if (viability) await saveIntegrationViability(tx, name, viability);
        return created;
      });
      this.cache.delete(name);
      return this.toProfile(row, await getIntegrationViability(this.db, name));
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(`integration ${name} already exists`, 'name');
      throw err;
    }
  }

  async update(name: string, input: IntegrationInput): Promise<IntegrationProfile> {
    const existing = await this.db.integration.findUnique({ where: { name } });
    if (!existing) throw new NotFoundError('integration', name);
    if (input.kind !== undefined && !isKind(input.kind)) {
      throw new ValidationError(`kind must be one of ${INTEGRATION_KINDS.join(', ')}`, 'kind');
    }
    const data = { ...this.validated(input), ...(input.kind ? { kind: input.kind } : {}) };
    const viability = validatedViability(input);
    const row = await this.db.$transaction(async (tx) => {
      const updated = await tx.integration.update({ where: { name }, data });
      if (viability) await saveIntegrationViability(tx, name, viability);
      return updated;
    });
    this.cache.delete(name);
    return this.toProfile(row, await getIntegrationViability(this.db, name));
  }

  async remove(name: string): Promise<void> {
    const keys = await this.db.apiKey.count({ where: { integration: name, revokedAt: null } });
    if (keys > 0)
      throw new ConflictError(
        `integration ${name} still has ${keys} active API key(s): revoke them first`,
      );
    const { count } = await this.db.integration.deleteMany({ where: { name } });
    if (count === 0) throw new NotFoundError('integration', name);
    await deleteIntegrationViability(this.db, name);
    this.cache.delete(name);
  }

  /** Makes sure an API key can be bound to `name`: an existing profile, or a kind name (created on the fly). */
  async ensureBindable(name: string): Promise<IntegrationProfile> {
    const row = await this.db.integration.findUnique({ where: { name } });
    if (row) return this.toProfile(row, await getIntegrationViability(this.db, name));
    if (!isKind(name)) {
      throw new ValidationError(
        `unknown integration ${name}: create it first (alcance integration create --name ${name} --kind KIND)`,
        'integration',
      );
    }
    return this.create({ name, kind: name }).catch(async (err: unknown) => {
      if (err instanceof ConflictError) return this.profile(name);
      throw err;
    });
  }

  private validated(input: IntegrationInput) {
    const data: {
      reservationDays?: number | null;
      defaultRadiusMeters?: number | null;
      prospectTagsJson?: string;
      mayReserve?: boolean;
    } = {};
    if (input.reservationDays !== undefined) {
      if (
        input.reservationDays !== null &&
        !(Number.isFinite(input.reservationDays) && input.reservationDays > 0)
      ) {
        throw new ValidationError(
          'reservationDays must be a positive number of days (or null for the default)',
          'reservationDays',
        );
      }
      data.reservationDays = input.reservationDays;
    }
    if (input.defaultRadiusMeters !== undefined) {
      const r = input.defaultRadiusMeters;
      if (r !== null && !(Number.isInteger(r) && r > 0 && r <= 50_000)) {
        throw new ValidationError(
          'defaultRadiusMeters must be an integer from 1 to 50000 (or null)',
          'defaultRadiusMeters',
        );
      }
      data.defaultRadiusMeters = r;
    }
    if (input.prospectTags !== undefined) {
      if (
        !Array.isArray(input.prospectTags) ||
        input.prospectTags.some((t) => typeof t !== 'string' || !t.trim())
      ) {
        throw new ValidationError('prospectTags must be a list of tag names', 'prospectTags');
      }
      data.prospectTagsJson = JSON.stringify(input.prospectTags.map((t) => t.trim()));
    }
    if (input.mayReserve !== undefined) {
      if (typeof input.mayReserve !== 'boolean')
        throw new ValidationError('mayReserve must be true or false', 'mayReserve');
      data.mayReserve = input.mayReserve;
    }
    return data;
  }

  private toProfile(row: Row, viability: ViabilityOverrides = {}): IntegrationProfile {
    const kind = isKind(row.kind) ? row.kind : 'generic';
    const defaults = kindDefaults(kind, this.chatbotDays);
    return {
      name: row.name,
      kind,
      reservationDays: row.reservationDays ?? defaults.reservationDays,
      defaultRadiusMeters: row.defaultRadiusMeters ?? undefined,
      prospectTags: JSON.parse(row.prospectTagsJson) as string[],
      mayReserve: row.mayReserve,
      viability,
    };
  }

  private implicit(name: string): IntegrationProfile {
    const kind = isKind(name) ? name : 'generic';
    return { name, kind, ...kindDefaults(kind, this.chatbotDays), prospectTags: [], viability: {} };
  }
}

/** The viability fields of an input, checked (a 400 names the field); undefined when none. */
function validatedViability(input: ViabilityInput) {
  const out: {
    mode?: ViabilityMode | null;
    poleAccessDistance?: number | null;
    maxDropLength?: number | null;
    maxBoxes?: number | null;
    propertyPortsFree?: boolean | null;
    blockedPortsFree?: boolean | null;
    horizontalCondos?: boolean | null;
  } = {};
  if (input.viabilityMode !== undefined) {
    const mode = input.viabilityMode;
    if (mode !== null && !(VIABILITY_MODES as readonly string[]).includes(mode)) {
      throw new ValidationError(
        'viabilityMode: must be "radius" or "poles" (or null for the system\'s)',
        'viabilityMode',
      );
    }
    out.mode = mode as ViabilityMode | null;
  }
  const whole = (
    field: 'poleAccessDistance' | 'maxDropLength' | 'maxBoxes',
    value: number | null | undefined,
  ) => {
    if (value === undefined) return;
    const { min, max } = LIMITS[field];
    if (value !== null && !(Number.isInteger(value) && value >= min && value <= max)) {
      throw new ValidationError(
        `${field}: must be a whole number from ${min} to ${max} (or null for the system's)`,
        field,
      );
    }
    out[field] = value;
  };
  whole('poleAccessDistance', input.poleAccessDistance);
  whole('maxDropLength', input.maxDropLength);
  whole('maxBoxes', input.maxBoxes);
  const flag = (
    field: 'propertyPortsAsFree' | 'blockedPortsAsFree' | 'horizontalCondos',
    key: 'propertyPortsFree' | 'blockedPortsFree' | 'horizontalCondos',
  ) => {
    const value = input[field];
    if (value === undefined) return;
    if (value !== null && typeof value !== 'boolean') {
      throw new ValidationError(`${field}: must be true, false or null`, field);
    }
    out[key] = value;
  };
  flag('propertyPortsAsFree', 'propertyPortsFree');
  flag('blockedPortsAsFree', 'blockedPortsFree');
  flag('horizontalCondos', 'horizontalCondos');
  return Object.keys(out).length ? out : undefined;
}
