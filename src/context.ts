import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Db } from './ozmap-model/db/client.js';
import type { ApiKeyVerifier } from './ozmap-model/api-keys.js';
import type { Settings } from './services/settings.js';
import type { ViabilityService } from './services/viability-service.js';
import type { ReservationService } from './services/reservations.js';
import type { Integrations } from './services/integrations.js';
import type { Geocoder } from './findme/geocoder.js';
import type { RateLimits } from './http/rate-limits.js';
import type { Metrics } from './http/metrics.js';
import type { SecretBox } from './security/secret-box.js';
import type { JobScheduler } from './jobs/scheduler.js';
import type { SyncRunStore } from './integrations/sync-runs/store.js';
import type { SyncRegistry } from './integrations/sync-runs/registry.js';

/**
 * Every writer of inventory reports what it changed, so the viability index reflects it in the
 * very next query. Await it before answering the caller.
 */
export interface NetworkChanges {
  /** Boxes whose geometry, draft flag, splitters, ports or connected properties changed (or that were deleted). */
  boxesChanged(boxIds: Iterable<string>): Promise<void>;
  /** Only free ports of one box were taken (a reservation): counted, no reload of the box. */
  portsTaken?(boxId: string, count: number): Promise<void>;
  /** Regions (polygons or tags) changed. */
  regionsChanged(): Promise<void>;
  /**
   * Poles whose position, existence, spans or boxes changed (pole-mode viability); `all` reloads
   * the whole pole network (e.g. a project's maximum drop size changed).
   */
  polesChanged(poleIds: Iterable<string> | 'all'): Promise<void>;
  /** Horizontal condominiums changed. */
  condosChanged(): Promise<void>;
}

/** What the composition root hands to routers and jobs. Built once in src/server.ts. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Db;
  apiKeys: ApiKeyVerifier;
  network: NetworkChanges;
  /** System configuration (default radius...): call `settings.reload()` after changing it. */
  settings: Settings;
  viability: ViabilityService;
  reservations: ReservationService;
  /** Integration profiles: the settings that apply to an API key's calls. */
  integrations: Integrations;
  /** Nominatim-compatible geocoder (GEOCODER_URL); undefined when not configured. */
  geocoder?: Geocoder;
  /** Request rate limits, with counters in Redis when it is configured. */
  rateLimits: RateLimits;
  /** Seals secrets at rest (integration tokens, signing secrets). */
  secrets: SecretBox;
  /** Scheduled work, once per slot across instances; started by startServer only. */
  jobs: JobScheduler;
  /** Reports of sync runs (SGP, Geogrid): GET /admin/sync-runs, `alcance sync runs`. */
  syncRuns: SyncRunStore;
  /** Syncs by kind, for starting a run on demand (POST /admin/sync-runs). */
  syncs: SyncRegistry;
  /** The clock; tests replace it to control expiry. */
  now: () => Date;
  /** Prometheus metrics of this instance (GET /metrics). */
  metrics: Metrics;
}
