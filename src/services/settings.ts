import type { Db } from '../ozmap-model/db/client.js';
import { getSystemConfig } from '../ozmap-model/system-config.js';
import { getViabilitySettings } from '../ozmap-model/viability-settings.js';
import { DEFAULT_VIABILITY_SETTINGS, type SystemViabilitySettings } from './viability-settings.js';

/**
 * The system configuration the hot path needs (default radius, box cap, the OZloc-style
 * viability settings), cached in memory and reloaded when the system-configs API changes it.
 */
export class Settings {
  private defaultRadius: number;
  private maxBoxes = 20;
  private viabilitySettings: SystemViabilitySettings = DEFAULT_VIABILITY_SETTINGS;

  constructor(
    private readonly db: Db,
    private readonly envDefaultRadius: number,
  ) {
    this.defaultRadius = envDefaultRadius;
  }

  async reload(): Promise<void> {
    const config = await getSystemConfig(this.db, this.envDefaultRadius);
    this.defaultRadius = config.defaultRadiusMeters;
    this.maxBoxes = config.maxBoxesInRadius;
    this.viabilitySettings = await getViabilitySettings(this.db);
  }

  get defaultRadiusMeters(): number {
    return this.defaultRadius;
  }

  get maxBoxesInRadius(): number {
    return this.maxBoxes;
  }

  /** Mode, pole access, drop length, port policies, condominiums (system level). */
  get viability(): SystemViabilitySettings {
    return this.viabilitySettings;
  }
}
