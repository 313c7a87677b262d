// The Geogrid integration inside the server: its sync registered for on-demand runs, its daily and
// push jobs on the scheduler, its routes.
import type { AppContext } from '../../context.js';
import { GeogridLinks } from './links.js';
import { geogridRouter } from './routes.js';
import { GeogridSchedules } from './schedule.js';
import { GeogridSync, type GeogridSyncDeps } from './sync.js';

export interface GeogridWiring {
  sync: GeogridSync;
  links: GeogridLinks;
  schedules: GeogridSchedules;
  router: ReturnType<typeof geogridRouter>;
}

export function wireGeogrid(
  ctx: AppContext,
  options: Pick<GeogridSyncDeps, 'client' | 'api'> = {},
): GeogridWiring {
  const links = new GeogridLinks(ctx.db, ctx.secrets, ctx.now);
  const sync = new GeogridSync({
    db: ctx.db,
    network: ctx.network,
    integrations: ctx.integrations,
    runs: ctx.syncRuns,
    links,
    logger: ctx.logger,
    now: ctx.now,
    owner: ctx.jobs.ownerId,
    leaseMs: ctx.config.scheduler.leaseMs,
    ...options,
  });
  ctx.syncs.register('geogrid', sync);
  const schedules = new GeogridSchedules(ctx.jobs, ctx.integrations, links, sync, ctx.logger);
  return { sync, links, schedules, router: geogridRouter(ctx, { sync, links }) };
}
