import type { Db } from '../ozmap-model/db/client.js';
import { getSystemConfig } from '../ozmap-model/system-config.js';

/**
 * The system configuration the hot path needs (default radius, box cap), cached in memory and
 * reloaded when the system-configs API changes it.
 */
export class Settings {
  private defaultRadius: number;
  private maxBoxes = 20;

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
  }

  get defaultRadiusMeters(): number {
    return this.defaultRadius;
  }

  get maxBoxesInRadius(): number {
    return this.maxBoxes;
  }
}
