// Syncs by kind, so surfaces that start a run on demand (POST /admin/sync-runs) reach the right
// one without knowing it. Each sync (sgp, geogrid) registers its runner at start-up.
import { NotFoundError, ValidationError } from '../../errors.js';
import type { SyncTrigger } from './store.js';

export interface StartedRun {
  runId: string;
  /** Settles when the run ends (its report says how). */
  done: Promise<unknown>;
}

export interface SyncRunner {
  /** Steps a caller may ask for with `only` (e.g. sgp: create, update, cancel). */
  readonly steps: readonly string[];
  /**
   * Starts one run of the integration now; resolves as soon as its run report exists. Rejects
   * with ConflictError when a run of that integration is in progress anywhere.
   */
  start(
    integration: string,
    options: { dryRun?: boolean; only?: string; trigger: SyncTrigger },
  ): Promise<StartedRun>;
}

export class SyncRegistry {
  private readonly runners = new Map<string, SyncRunner>();

  register(kind: string, runner: SyncRunner): void {
    this.runners.set(kind, runner);
  }

  runner(kind: string): SyncRunner {
    const runner = this.runners.get(kind);
    if (!runner) throw new NotFoundError(`sync of kind ${kind}`);
    return runner;
  }

  /** Checks `only` against the runner's steps (400 naming the field). */
  static checkOnly(runner: SyncRunner, only: string | undefined): void {
    if (only !== undefined && !runner.steps.includes(only)) {
      throw new ValidationError(`only must be one of ${runner.steps.join(', ')}`, 'only');
    }
  }
}
