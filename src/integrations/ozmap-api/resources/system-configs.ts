import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { NotFoundError, ValidationError } from '../../../errors.js';
import { getSystemConfig, SYSTEM_CONFIG_ID } from '../../../ozmap-model/system-config.js';
import {
  getViabilitySettings,
  saveViabilitySettings,
} from '../../../ozmap-model/viability-settings.js';
import { ViabilitySettingsBody, fromBody, toBody } from '../../../services/viability-settings.js';
import { systemConfigToJson } from '../mappers/catalogue.js';
import { requireAction } from '../auth.js';
import { int32, MAX_LIST_ITEMS, parseBody, text } from '../validation.js';

const level = z.object({
  id: int32,
  name: text,
  translated_name: text.optional(),
});
const levels = z.array(level).max(MAX_LIST_ITEMS);
export const UpdateSystemConfig = z
  .object({
    defaultRadius: z.number().int().min(1).max(100_000),
    maxBoxesInRadius: z.number().int().min(1).max(1000),
    hierarchyLevels: z
      .object({
        cables: levels,
        boxes: levels,
        pops: levels,
        towers: levels,
      })
      .partial(),
  })
  .partial()
  .extend(ViabilitySettingsBody.shape);

/**
 * `GET /system-configs` (the singleton) and `PATCH /system-configs/:id`. Besides OZmap's
 * hierarchy levels it carries the viability settings ("Configurações › Sistema" in OZmap):
 * default radius, box cap, mode, pole access distance, drop length, port policies, condominiums.
 */
export function systemConfigsRouter(ctx: AppContext): Router {
  const router = Router();
  const current = () => getSystemConfig(ctx.db, ctx.config.viability.defaultRadiusMeters);
  const document = async () => ({
    ...systemConfigToJson(await current()),
    ...toBody(await getViabilitySettings(ctx.db)),
  });
  router.get('/', requireAction('read'), async (_req, res) => {
    res.json(await document());
  });
  router.get('/:id', requireAction('read'), async (req, res) => {
    if (req.params.id !== SYSTEM_CONFIG_ID)
      throw new NotFoundError('system config', String(req.params.id));
    res.json(await document());
  });
  router.patch('/:id', requireAction('settings:write'), async (req, res) => {
    if (req.params.id !== SYSTEM_CONFIG_ID)
      throw new NotFoundError('system config', String(req.params.id));
    const body = parseBody(UpdateSystemConfig, req.body);
    if (
      body.defaultRadius !== undefined &&
      body.defaultRadius > ctx.config.viability.maxRadiusMeters
    ) {
      const max = ctx.config.viability.maxRadiusMeters;
      throw new ValidationError(
        `defaultRadius: must not exceed ${max} metres (MAX_RADIUS_METERS)`,
        'defaultRadius',
      );
    }
    const before = await current();
    const viability = fromBody(body);
    await ctx.db.$transaction(async (tx) => {
      await tx.systemConfig.update({
        where: { id: SYSTEM_CONFIG_ID },
        data: {
          defaultRadiusMeters: body.defaultRadius,
          maxBoxesInRadius: body.maxBoxesInRadius,
          hierarchyLevelsJson:
            body.hierarchyLevels &&
            JSON.stringify({ ...(before.hierarchyLevels as object), ...body.hierarchyLevels }),
        },
      });
      if (Object.keys(viability).length) await saveViabilitySettings(tx, viability);
    });
    await ctx.settings.reload();
    res.status(204).end();
  });
  return router;
}
