import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { adminAuth } from '../../http/admin-auth.js';
import { parseBody, text } from '../ozmap-api/validation.js';
import { SyncRegistry } from './registry.js';
import { SYNC_OUTCOMES } from './store.js';

const ListQuery = z.object({
  integration: z.string().min(1).optional(),
  kind: z.string().min(1).optional(),
  cycle: z.string().min(1).optional(),
  status: z.enum(['running', 'succeeded', 'failed', 'abandoned']).optional(),
  before: z.iso.datetime({ offset: true, error: 'must be an ISO date-time' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

const RunQuery = z.object({
  outcome: z.enum(SYNC_OUTCOMES).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

export const StartBody = z.object({
  integration: text.min(1),
  dryRun: z.boolean().optional(),
  only: text.optional(),
});

/**
 * Sync run reports (every sync kind) and starting a run on demand, under the admin key:
 * GET /admin/sync-runs, GET /admin/sync-runs/:id, POST /admin/sync-runs {integration}.
 */
export function syncRunsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin/sync-runs', adminAuth(ctx));

  router.get('/admin/sync-runs', async (req, res) => {
    const q = parseBody(ListQuery, req.query);
    res.json(await ctx.syncRuns.list({ ...q, before: q.before ? new Date(q.before) : undefined }));
  });

  router.get('/admin/sync-runs/:id', async (req, res) => {
    res.json(await ctx.syncRuns.get(req.params.id, parseBody(RunQuery, req.query)));
  });

  router.post('/admin/sync-runs', async (req, res) => {
    const body = parseBody(StartBody, req.body);
    const profile = await ctx.integrations.syncTarget(body.integration);
    const runner = ctx.syncs.runner(profile.kind);
    SyncRegistry.checkOnly(runner, body.only);
    const started = await runner.start(body.integration, {
      dryRun: body.dryRun,
      only: body.only,
      trigger: 'api',
    });
    res
      .status(202)
      .location(`/admin/sync-runs/${started.runId}`)
      .json({ runId: started.runId, integration: body.integration, status: 'running' });
  });
  return router;
}
