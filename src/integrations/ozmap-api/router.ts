import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { NotFoundError, UnauthorizedError } from '../../errors.js';
import { apiKeyAuth, requireAction } from './auth.js';
import { batchWhere, updateBatch } from './batch-update.js';
import { measure, parseBody } from './validation.js';
import { crudRouter } from './resources/crud-router.js';
import type { ResourceDef } from './resources/resource.js';
import { boxes } from './resources/boxes.js';
import { boxTypes } from './resources/box-types.js';
import { BatchUpdateFtthClients, ftthClients } from './resources/ftth-clients.js';
import { properties, propertyInclude } from './resources/properties.js';
import { prospects } from './resources/prospects.js';
import { projects } from './resources/projects.js';
import { regions } from './resources/regions.js';
import { regionTypes } from './resources/region-types.js';
import { splitters } from './resources/splitters.js';
import { splitterTypes } from './resources/splitter-types.js';
import { tags } from './resources/tags.js';
import { systemConfigsRouter } from './resources/system-configs.js';
import { present, viewOf, within } from './resources/view.js';
import { cancelStatementsOnClientGone, clientGone } from '../../http/client-gone.js';
import { poles } from './resources/poles.js';
import { spans } from './resources/spans.js';
import { horizontalCondominiums } from './resources/horizontal-condominiums.js';

export const RESOURCES: readonly ResourceDef[] = [
  boxes,
  splitters,
  splitterTypes,
  boxTypes,
  ftthClients,
  properties,
  prospects,
  regions,
  regionTypes,
  tags,
  projects,
  poles,
  spans,
  horizontalCondominiums,
];

export const BatchUpdateProperties = z.object({
  filter: z.unknown(),
  update: z.object({ potencyRead: measure.nullable() }).partial(),
});

/** The OZmap API v2–compatible REST API, mounted at `/api/v2`. Every route needs an API key. */
export function ozmapApiRouter(ctx: AppContext): Router {
  const router = Router();

  // We have no user accounts: keys come from `alcance apikey create`. Answering 401 here makes the
  // SDK's re-login after a 401 fail at once with this message instead of looping.
  router.post('/users/login', () => {
    throw new UnauthorizedError(
      'user login is not supported: create an API key with `alcance apikey create --name NAME` and send it in the Authorization header',
    );
  });

  router.use(apiKeyAuth(ctx));
  // A client that disconnects stops what its request still runs in PostgreSQL.
  router.use(cancelStatementsOnClientGone(ctx.db, ctx.logger));

  router.get('/authenticated', (req, res) => {
    const p = req.principal!;
    res.json({
      authenticated: true,
      key: {
        keyId: p.keyId,
        name: p.name,
        integration: p.integration,
        role: p.role,
        scopes: [...p.scopes],
      },
    });
  });

  router.post('/ftth-clients/batch-update', requireAction('write'), async (req, res) => {
    const body = parseBody(BatchUpdateFtthClients, req.body);
    const view = viewOf(ftthClients, req.principal);
    const target = await batchWhere(ctx, ftthClients, body.filter, view, clientGone(req, res));
    const { implanted, certified, status } = body.update;
    await updateBatch(target, (where) =>
      ctx.db.ftthClient.updateMany({
        where,
        data: {
          implanted,
          certified,
          status,
          ...(implanted ? { reservationExpiresAt: null } : {}),
        },
      }),
    );
    res.status(204).end();
  });

  router.post('/properties/batch-update', requireAction('write'), async (req, res) => {
    const body = parseBody(BatchUpdateProperties, req.body);
    const view = viewOf(properties, req.principal);
    const target = await batchWhere(ctx, properties, body.filter, view, clientGone(req, res));
    await updateBatch(target, (where) =>
      ctx.db.property.updateMany({ where, data: { potencyRead: body.update.potencyRead } }),
    );
    res.status(204).end();
  });

  router.get('/properties/client/:code', requireAction('read'), async (req, res) => {
    const code = String(req.params.code);
    const client = await ctx.db.ftthClient.findFirst({
      where: within(viewOf(ftthClients, req.principal), { code }),
      select: { id: true },
    });
    if (!client) throw new NotFoundError('client with code', code);
    const populate = new Set(['client']);
    const rows = await ctx.db.property.findMany({
      where: { clientId: client.id },
      include: propertyInclude,
    });
    const view = viewOf(properties, req.principal);
    res.json(rows.map((row) => present(view, properties.toJson(row, populate))));
  });

  router.use('/system-configs', systemConfigsRouter(ctx));
  for (const def of RESOURCES) router.use(`/${def.route}`, crudRouter(ctx, def));
  return router;
}
