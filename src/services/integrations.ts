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
import type { SecretBox } from '../security/secret-box.js';
import { isSyncKind, SYNC_KINDS, syncUrl } from './sync-settings.js';

export const INTEGRATION_KINDS = [
  'conecteai',
  'ispbox',
  'fivehub',
  'generic',
  'admin',
  'sgp',
  'geogrid',
] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** The longest reservation a profile may give: ten years (a larger one overflows the dates). */
export const MAX_RESERVATION_DAYS = 3650;

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
  /** Syncs (sgp): whether the server runs it on its schedule. */
  enabled: boolean;
  /** Syncs: the remote system's base URL. */
  url?: string;
  /** Which secrets are stored, sealed; their values are never shown again. */
  credentials: { token: boolean; password: boolean };
  /** The kind's own settings (sgp: app, user, updateEveryMinutes, cancelEveryMinutes). */
  settings: Record<string, unknown>;
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
  enabled?: boolean;
  url?: string;
  /** Sealed at rest with SecretBox; never returned or logged. */
  token?: string;
  /** Sealed at rest with SecretBox; never returned or logged. */
  password?: string;
  /** Merged into the stored settings, then checked by the kind (sync-settings.ts). */
  settings?: Record<string, unknown>;
}

/** What a sync needs to reach its remote system: secrets opened. Only sync code asks for it. */
export interface SyncTarget {
  name: string;
  kind: IntegrationKind;
  enabled: boolean;
  url: string;
  token?: string;
  password?: string;
  settings: Record<string, unknown>;
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
    case 'sgp':
    case 'geogrid':
      // A sync pulls from the ERP or the mapping platform; a key bound to it has no reason to
      // reserve ports.
      return { reservationDays: null, mayReserve: false };
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

  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly secrets?: SecretBox;

  constructor(
    private readonly db: Db,
    private readonly chatbotDays: number,
    options: { secrets?: SecretBox; ttlMs?: number; now?: () => number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.secrets = options.secrets;
  }

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
    const data = {
      mayReserve: kindDefaults(kind, this.chatbotDays).mayReserve,
      ...this.validated(input),
      ...this.syncFields(name, kind, input),
    };
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
    if (input.kind !== undefined && input.kind !== existing.kind && isSyncKind(existing.kind)) {
      throw new ValidationError('the kind of a sync integration cannot change', 'kind');
    }
    const kind = input.kind ?? existing.kind;
    const data = {
      ...this.validated(input),
      ...this.syncFields(name, kind, input, existing),
      ...(input.kind ? { kind: input.kind } : {}),
    };
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

  /** Enabled sync integrations of a kind, secrets opened (for the scheduler and the CLI). */
  async syncTargets(kind: IntegrationKind): Promise<SyncTarget[]> {
    const rows = await this.db.integration.findMany({ where: { kind, enabled: true } });
    return rows.map((r) => this.target(r));
  }

  /** One sync integration, secrets opened; NotFoundError when absent or not a sync. */
  async syncTarget(name: string): Promise<SyncTarget> {
    const row = await this.db.integration.findUnique({ where: { name } });
    if (!row || !isSyncKind(row.kind)) throw new NotFoundError('sync integration', name);
    return this.target(row);
  }

  private target(row: Row): SyncTarget {
    const open = (sealed: string | null, what: string) =>
      sealed ? this.box().open(sealed, `integration:${row.name}:${what}`) : undefined;
    return {
      name: row.name,
      kind: row.kind as IntegrationKind,
      enabled: row.enabled,
      url: row.url ?? '',
      token: open(row.tokenSealed, 'token'),
      password: open(row.passwordSealed, 'password'),
      settings: JSON.parse(row.settingsJson) as Record<string, unknown>,
    };
  }

  private box(): SecretBox {
    if (!this.secrets) throw new Error('Integrations was built without a SecretBox');
    return this.secrets;
  }

  /** The url, sealed secrets and settings of a sync kind; refused on other kinds. */
  private syncFields(name: string, kind: string, input: IntegrationInput, existing?: Row) {
    const given = (['url', 'token', 'password', 'settings', 'enabled'] as const).filter(
      (k) => input[k] !== undefined,
    );
    const spec = SYNC_KINDS[kind];
    if (!spec) {
      if (given.length) {
        throw new ValidationError(
          `${given[0]} applies to sync integrations (${Object.keys(SYNC_KINDS).join(', ')}) only`,
          given[0],
        );
      }
      return {};
    }
    for (const k of ['token', 'password'] as const) {
      const v = input[k];
      if (v !== undefined && (typeof v !== 'string' || !v.trim() || v.length > 512)) {
        throw new ValidationError(`${k} must be text of 1-512 characters`, k);
      }
    }
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean') {
      throw new ValidationError('enabled must be true or false', 'enabled');
    }
    if (
      input.settings !== undefined &&
      (typeof input.settings !== 'object' || input.settings === null)
    ) {
      throw new ValidationError('settings must be an object', 'settings');
    }
    const before = existing ? (JSON.parse(existing.settingsJson) as Record<string, unknown>) : {};
    const settings = spec.settings({ ...before, ...input.settings });
    const url = syncUrl(input.url ?? existing?.url, spec);
    spec.credentials({
      token: input.token !== undefined || !!existing?.tokenSealed,
      password: input.password !== undefined || !!existing?.passwordSealed,
      settings,
    });
    const seal = (v: string | undefined, what: string) =>
      v === undefined
        ? {}
        : { [`${what}Sealed`]: this.box().seal(v.trim(), `integration:${name}:${what}`) };
    return {
      url,
      settingsJson: JSON.stringify(settings),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...seal(input.token, 'token'),
      ...seal(input.password, 'password'),
    };
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
        !(
          Number.isFinite(input.reservationDays) &&
          input.reservationDays > 0 &&
          input.reservationDays <= MAX_RESERVATION_DAYS
        )
      ) {
        throw new ValidationError(
          `reservationDays must be a number of days above 0 and at most ${MAX_RESERVATION_DAYS} (or null for the default)`,
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
        input.prospectTags.length > 50 ||
        input.prospectTags.some(
          (t) => typeof t !== 'string' || !t.trim() || t.length > 100 || t.includes('\0'),
        )
      ) {
        throw new ValidationError(
          'prospectTags must be a list of at most 50 tag names of 1-100 characters',
          'prospectTags',
        );
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
      enabled: row.enabled,
      ...(row.url ? { url: row.url } : {}),
      credentials: { token: !!row.tokenSealed, password: !!row.passwordSealed },
      settings: JSON.parse(row.settingsJson) as Record<string, unknown>,
    };
  }

  private implicit(name: string): IntegrationProfile {
    const kind = isKind(name) ? name : 'generic';
    return {
      name,
      kind,
      ...kindDefaults(kind, this.chatbotDays),
      prospectTags: [],
      enabled: true,
      credentials: { token: false, password: false },
      settings: {},
      viability: {},
    };
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
