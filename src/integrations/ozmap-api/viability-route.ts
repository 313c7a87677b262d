import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { apiKeyAuth, requireAction } from './auth.js';
import type { ViabilityAnswer } from '../../services/viability-service.js';
import type { RefusalReason } from '../../viability/index.js';

// Shown to sales teams in Brazil next to the code, so in Portuguese.
const REASON_MESSAGES: Record<RefusalReason, string> = {
  draft: 'Caixa em projeto (ainda não construída)',
  no_drop_splitter: 'Caixa sem splitter de atendimento',
  no_free_port: 'Caixa sem portas livres',
  outside_region: 'Caixa fora das regiões das tags pedidas',
};

/** `tags=a,b`, `tags=a&tags=b` or `tags=["a","b"]` → list. */
export function parseTags(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const items = (Array.isArray(value) ? value : [value]).filter(
    (v): v is string => typeof v === 'string',
  );
  return items.flatMap((item) => {
    const trimmed = item.trim();
    if (trimmed.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed)) return parsed.map(String);
      } catch {
        // not JSON: a plain tag name that starts with '['
      }
    }
    return trimmed.split(',');
  });
}

/** The OZmap response shape (see docs/api.md): `viable, boxes, refused_boxes, properties`. */
export function toOzmapViability(answer: ViabilityAnswer) {
  return {
    viable: answer.viable,
    lat: answer.point.lat,
    lng: answer.point.lng,
    radius: answer.radius,
    ...(answer.radiusCapped
      ? { radius_capped: true, message: `radius capped at ${answer.radius} m` }
      : {}),
    // The answer's box objects are made fresh for this call: extend them rather than copy them.
    boxes: answer.boxes.map((b) => Object.assign(b, { horizontal_condos: [] })),
    refused_boxes: answer.refused.map((b) =>
      Object.assign(b, { reason_message: REASON_MESSAGES[b.reason] }),
    ),
    // Both lists show the nearest boxes up to the system's maximum; these count the rest.
    boxes_omitted: answer.boxesOmitted,
    refused_boxes_omitted: answer.refusedOmitted,
    properties: answer.properties.map((p) => ({
      id: p.id,
      box: p.boxId,
      address: p.address,
      observation: p.observation,
      lat: p.lat,
      lng: p.lng,
      distance: p.distance,
    })),
  };
}

/** `GET /api/v2/ftth-viability/radius?lat&lng[&radius][&tags]`: mount at `/api/v2/ftth-viability`. */
export function viabilityRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(apiKeyAuth(ctx), requireAction('read'));
  router.get('/radius', async (req, res) => {
    const profile = await ctx.integrations.profile(req.principal?.integration ?? 'generic');
    const answer = ctx.viability.check({
      defaultRadius: profile.defaultRadiusMeters,
      lat: req.query.lat,
      lng: req.query.lng,
      radius: req.query.radius,
      tags: parseTags(req.query.tags),
    });
    // The hottest route: skip res.json's generic send path (charset, freshness, etc.).
    const body = JSON.stringify(toOzmapViability(answer));
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  return router;
}
