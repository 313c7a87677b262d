import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { Db } from '../ozmap-model/db/client.js';
import { isUniqueViolation } from '../ozmap-model/db/client.js';

export const INTEGRATION_KINDS = ['conecteai', 'ispbox', 'fivehub', 'generic', 'admin'] as const;
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
}

export interface IntegrationInput {
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
    const profile = row ? this.toProfile(row) : this.implicit(name);
    this.cache.set(name, { profile, until: this.now() + this.ttlMs });
    return profile;
  }

  async list(): Promise<IntegrationProfile[]> {
    const rows = await this.db.integration.findMany({ orderBy: { name: 'asc' } });
    return rows.map((r) => this.toProfile(r));
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
    try {
      const row = await this.db.integration.create({ data: { id: newId(), name, kind, ...data } });
      this.cache.delete(name);
      return this.toProfile(row);
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
    const row = await this.db.integration.update({
      where: { name },
      data: { ...this.validated(input), ...(input.kind ? { kind: input.kind } : {}) },
    });
    this.cache.delete(name);
    return this.toProfile(row);
  }

  async remove(name: string): Promise<void> {
    const keys = await this.db.apiKey.count({ where: { integration: name, revokedAt: null } });
    if (keys > 0)
      throw new ConflictError(
        `integration ${name} still has ${keys} active API key(s): revoke them first`,
      );
    const { count } = await this.db.integration.deleteMany({ where: { name } });
    if (count === 0) throw new NotFoundError('integration', name);
    this.cache.delete(name);
  }

  /** Makes sure an API key can be bound to `name`: an existing profile, or a kind name (created on the fly). */
  async ensureBindable(name: string): Promise<IntegrationProfile> {
    const row = await this.db.integration.findUnique({ where: { name } });
    if (row) return this.toProfile(row);
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

  private toProfile(row: Row): IntegrationProfile {
    const kind = isKind(row.kind) ? row.kind : 'generic';
    const defaults = kindDefaults(kind, this.chatbotDays);
    return {
      name: row.name,
      kind,
      reservationDays: row.reservationDays ?? defaults.reservationDays,
      defaultRadiusMeters: row.defaultRadiusMeters ?? undefined,
      prospectTags: JSON.parse(row.prospectTagsJson) as string[],
      mayReserve: row.mayReserve,
    };
  }

  private implicit(name: string): IntegrationProfile {
    const kind = isKind(name) ? name : 'generic';
    return { name, kind, ...kindDefaults(kind, this.chatbotDays), prospectTags: [] };
  }
}
