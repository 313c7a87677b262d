// OZmap's "Configurações › Sistema" viability settings (OZloc settings): as the system sets them,
// and as an integration profile or the chatbot override them. Bounds and merging: services/.
import { createOnce, type Db, type Tx } from './db/client.js';

export const VIABILITY_MODES = ['radius', 'poles'] as const;
export type ViabilityMode = (typeof VIABILITY_MODES)[number];

/** The system's settings (ViabilitySettings row; radius and box cap from SystemConfig). */
export interface SystemViabilitySettings {
  mode: ViabilityMode;
  /** Metres from the customer to the first pole the drop may start at (pole mode). */
  poleAccessDistance: number;
  /** Metres: the longest drop, for projects without their own maximum drop size. */
  maxDropLength: number;
  /** Ports held by a vacant property count as free (the sale disconnects the property). */
  propertyPortsFree: boolean;
  /** Blocked splitter ports count as free. */
  blockedPortsFree: boolean;
  /** Gated communities are taken into account (see CondoSet). */
  horizontalCondos: boolean;
}

export const DEFAULT_VIABILITY_SETTINGS: SystemViabilitySettings = {
  mode: 'radius',
  poleAccessDistance: 100,
  maxDropLength: 500,
  propertyPortsFree: false,
  blockedPortsFree: false,
  horizontalCondos: false,
};

/**
 * What a caller (an integration profile, the chatbot, one request) may set for itself; absent =
 * the system's. `maxDropLength` here is a cap: no drop longer than it, whatever the project
 * allows. `radius` and `maxBoxes` override the system's default radius and box cap.
 */
export interface ViabilityOverrides {
  mode?: ViabilityMode;
  radius?: number;
  maxBoxes?: number;
  poleAccessDistance?: number;
  maxDropLength?: number;
  propertyPortsFree?: boolean;
  blockedPortsFree?: boolean;
  horizontalCondos?: boolean;
}

export const VIABILITY_SETTINGS_ID = 'system';

function mode(value: string | null): ViabilityMode | undefined {
  return value !== null && (VIABILITY_MODES as readonly string[]).includes(value)
    ? (value as ViabilityMode)
    : undefined;
}

/** The system's viability settings row (created with the defaults on first use). */
export async function getViabilitySettings(db: Db): Promise<SystemViabilitySettings> {
  const row = await createOnce(() =>
    db.viabilitySettings.upsert({
      where: { id: VIABILITY_SETTINGS_ID },
      create: { id: VIABILITY_SETTINGS_ID },
      update: {},
    }),
  );
  return {
    mode: mode(row.mode) ?? DEFAULT_VIABILITY_SETTINGS.mode,
    poleAccessDistance: row.poleAccessDistance,
    maxDropLength: row.maxDropLength,
    propertyPortsFree: row.propertyPortsFree,
    blockedPortsFree: row.blockedPortsFree,
    horizontalCondos: row.horizontalCondos,
  };
}

export async function saveViabilitySettings(
  db: Db | Tx,
  changes: Partial<SystemViabilitySettings>,
): Promise<void> {
  await db.viabilitySettings.upsert({
    where: { id: VIABILITY_SETTINGS_ID },
    create: { id: VIABILITY_SETTINGS_ID, ...changes },
    update: changes,
  });
}

/** An integration's overrides (empty when it has none). */
export async function getIntegrationViability(
  db: Db,
  integration: string,
): Promise<ViabilityOverrides> {
  const row = await db.integrationViability.findUnique({ where: { integration } });
  if (!row) return {};
  const out: ViabilityOverrides = {};
  const m = mode(row.mode);
  if (m) out.mode = m;
  if (row.poleAccessDistance !== null) out.poleAccessDistance = row.poleAccessDistance;
  if (row.maxDropLength !== null) out.maxDropLength = row.maxDropLength;
  if (row.maxBoxes !== null) out.maxBoxes = row.maxBoxes;
  if (row.propertyPortsFree !== null) out.propertyPortsFree = row.propertyPortsFree;
  if (row.blockedPortsFree !== null) out.blockedPortsFree = row.blockedPortsFree;
  if (row.horizontalCondos !== null) out.horizontalCondos = row.horizontalCondos;
  return out;
}

/** Sets (value) or clears (null) an integration's overrides; absent fields stay. */
export async function saveIntegrationViability(
  db: Db | Tx,
  integration: string,
  changes: { [K in keyof Omit<ViabilityOverrides, 'radius'>]?: ViabilityOverrides[K] | null },
): Promise<void> {
  await db.integrationViability.upsert({
    where: { integration },
    create: { integration, ...changes },
    update: changes,
  });
}

export async function deleteIntegrationViability(db: Db, integration: string): Promise<void> {
  await db.integrationViability.deleteMany({ where: { integration } });
}
