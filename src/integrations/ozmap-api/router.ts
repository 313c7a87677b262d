import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { NotFoundError, UnauthorizedError } from '../../errors.js';
import { apiKeyAuth } from './auth.js';
import { batchWhere } from './batch-update.js';
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
];

const BatchUpdateProperties = z.object({
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

  router.use(apiKeyAuth(ctx.apiKeys));

  router.get('/authenticated', (req, res) => {
    res.json({ authenticated: true, key: req.principal });
  });

  router.post('/ftth-clients/batch-update', async (req, res) => {
    const body = parseBody(BatchUpdateFtthClients, req.body);
    const where = await batchWhere(ctx, ftthClients, body.filter);
    const { implanted, certified, status } = body.update;
    await ctx.db.ftthClient.updateMany({
      where: where,
      data: { implanted, certified, status, ...(implanted ? { reservationExpiresAt: null } : {}) },
    });
    res.status(204).end();
  });

  router.post('/properties/batch-update', async (req, res) => {
    const body = parseBody(BatchUpdateProperties, req.body);
    const where = await batchWhere(ctx, properties, body.filter);
    await ctx.db.property.updateMany({
      where: where,
      data: { potencyRead: body.update.potencyRead },
    });
    res.status(204).end();
  });

  router.get('/properties/client/:code', async (req, res) => {
    const code = req.params.code;
    const client = await ctx.db.ftthClient.findUnique({ where: { code }, select: { id: true } });
    if (!client) throw new NotFoundError('client with code', code);
    const populate = new Set(['client']);
    const rows = await ctx.db.property.findMany({
      where: { clientId: client.id },
      include: propertyInclude,
    });
    res.json(rows.map((row) => properties.toJson(row, populate)));
  });

  router.use('/system-configs', systemConfigsRouter(ctx));
  for (const def of RESOURCES) router.use(`/${def.route}`, crudRouter(ctx, def));
  return router;
}
