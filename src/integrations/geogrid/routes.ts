// Geogrid over HTTP: the change notifications Geogrid posts ("Configuração integração": URL
// `/webhooks/geogrid/<integration>`, the shared secret in Authorization), and the admin routes
// for an integration's project link and notification secret.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { UnauthorizedError } from '../../errors.js';
import { adminAuth } from '../../http/admin-auth.js';
import { parseBody } from '../ozmap-api/validation.js';
import { projectChoice, type GeogridLinks } from './links.js';
import type { GeogridSync } from './sync.js';

const LinkBody = z.object({ projectId: z.string().optional(), projectName: z.string().optional() });
const SecretBody = z.object({ secret: z.string().optional() });

export function geogridRouter(
  ctx: AppContext,
  geogrid: { sync: GeogridSync; links: GeogridLinks },
): Router {
  const router = Router();
  const { sync, links } = geogrid;

  router.post('/webhooks/geogrid/:integration', async (req, res) => {
    const name = req.params.integration;
    // Unknown integration and wrong secret look the same from outside.
    if (!(await links.checkSecret(name, req.headers.authorization))) {
      throw new UnauthorizedError('wrong or missing notification secret (Authorization)');
    }
    const result = await sync.delta(name, req.body);
    const status = result.status === 'succeeded' ? 200 : 502;
    res.status(status).json({
      runId: result.runId,
      status: result.status,
      items: result.items,
      counts: result.counts,
      ...(result.error ? { message: result.error.message, code: result.error.code } : {}),
    });
  });

  router.use('/admin/geogrid', adminAuth(ctx));
  router.get('/admin/geogrid/:integration', async (req, res) => {
    await sync.ensure(req.params.integration);
    const state = await links.state(req.params.integration);
    const items = await ctx.db.geogridItem.groupBy({
      by: ['state'],
      where: { integration: req.params.integration },
      _count: { _all: true },
    });
    res.json({
      ...state,
      webhookPath: `/webhooks/geogrid/${req.params.integration}`,
      items: Object.fromEntries(items.map((i) => [i.state, i._count._all])),
    });
  });
  router.put('/admin/geogrid/:integration/project', async (req, res) => {
    await sync.ensure(req.params.integration);
    const choice = projectChoice(parseBody(LinkBody, req.body));
    const linked = await links.link(req.params.integration, choice);
    res.json({
      projectId: linked.projectId,
      ...(linked.secret ? { webhookSecret: linked.secret } : {}),
    });
  });
  router.delete('/admin/geogrid/:integration/project', async (req, res) => {
    await sync.ensure(req.params.integration);
    res.json(await links.unlink(req.params.integration));
  });
  router.post('/admin/geogrid/:integration/webhook-secret', async (req, res) => {
    await sync.ensure(req.params.integration);
    const body = parseBody(SecretBody, req.body);
    res
      .status(201)
      .json({ webhookSecret: await links.setWebhookSecret(req.params.integration, body.secret) });
  });
  return router;
}
