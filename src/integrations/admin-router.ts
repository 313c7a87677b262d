import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { adminAuth } from '../http/admin-auth.js';
import { int32, parseBody, text } from './ozmap-api/validation.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../ozmap-model/api-keys.js';
import { DEFAULT_SCOPES, parseScopes } from '../security/principal.js';
import type { IntegrationProfile } from '../services/integrations.js';

export const ProfileBody = z
  .object({
    name: text,
    kind: text,
    reservationDays: z.number().nullable(),
    defaultRadiusMeters: int32.nullable(),
    prospectTags: z.array(text).max(50),
    mayReserve: z.boolean(),
    // viability overrides (null = the system's); ranges are checked by Integrations
    viabilityMode: z.string().nullable(),
    poleAccessDistance: z.number().nullable(),
    maxDropLength: z.number().nullable(),
    maxBoxes: z.number().nullable(),
    propertyPortsAsFree: z.boolean().nullable(),
    blockedPortsAsFree: z.boolean().nullable(),
    horizontalCondos: z.boolean().nullable(),
    // Syncs (sgp): the same fields as `alcance integration create --kind sgp`.
    url: z.string(),
    token: z.string(),
    password: z.string(),
    enabled: z.boolean(),
    app: z.string(),
    user: z.string(),
    updateEveryMinutes: z.number().int(),
    cancelEveryMinutes: z.number().int(),
    settings: z.record(z.string(), z.unknown()),
  })
  .partial()
  .transform(({ app, user, updateEveryMinutes, cancelEveryMinutes, settings, ...rest }) => {
    const top = Object.entries({ app, user, updateEveryMinutes, cancelEveryMinutes }).filter(
      ([, v]) => v !== undefined,
    );
    const merged = { ...settings, ...Object.fromEntries(top) };
    return { ...rest, ...(Object.keys(merged).length ? { settings: merged } : {}) };
  });

export const ApiKeyBody = z.object({
  name: text.min(1, 'is required'),
  integration: text.default('generic'),
  scopes: z.union([text, z.array(text).max(10)]).optional(),
});

/** A profile as the admin API shows it: the viability overrides under their API names. */
export function profileToJson(p: IntegrationProfile) {
  const { viability, ...rest } = p;
  return {
    ...rest,
    viabilityMode: viability.mode ?? null,
    poleAccessDistance: viability.poleAccessDistance ?? null,
    maxDropLength: viability.maxDropLength ?? null,
    maxBoxes: viability.maxBoxes ?? null,
    propertyPortsAsFree: viability.propertyPortsFree ?? null,
    blockedPortsAsFree: viability.blockedPortsFree ?? null,
    horizontalCondos: viability.horizontalCondos ?? null,
  };
}

/** `/admin/integrations` and `/admin/api-keys`: manage profiles and keys over HTTP (admin key). */
export function adminRouter(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin', adminAuth(ctx));

  router.get('/admin/integrations', async (_req, res) => {
    res.json((await ctx.integrations.list()).map(profileToJson));
  });
  router.post('/admin/integrations', async (req, res) => {
    const created = await ctx.integrations.create(parseBody(ProfileBody, req.body));
    res.status(201).json(profileToJson(created));
  });
  router.patch('/admin/integrations/:name', async (req, res) => {
    await ctx.integrations.update(req.params.name, parseBody(ProfileBody, req.body));
    res.status(204).end();
  });
  router.delete('/admin/integrations/:name', async (req, res) => {
    await ctx.integrations.remove(req.params.name);
    res.status(204).end();
  });

  router.get('/admin/api-keys', async (_req, res) => {
    res.json(await listApiKeys(ctx.db));
  });
  router.post('/admin/api-keys', async (req, res) => {
    const body = parseBody(ApiKeyBody, req.body);
    const scopes = body.scopes === undefined ? [...DEFAULT_SCOPES] : parseScopes(body.scopes);
    await ctx.integrations.ensureBindable(body.integration);
    const { key, record } = await createApiKey(ctx.db, body.name, body.integration, scopes);
    res.status(201).json({ key, ...record });
  });
  router.delete('/admin/api-keys/:ref', async (req, res) => {
    await revokeApiKey(ctx.db, req.params.ref);
    ctx.apiKeys.forget();
    res.status(204).end();
  });
  return router;
}
