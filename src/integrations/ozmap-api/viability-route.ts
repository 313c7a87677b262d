import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context.js';
import { apiKeyAuth, requireAction } from './auth.js';
import type { AnswerReason, ViabilityAnswer } from '../../services/viability-service.js';
import { requestOverrides, type ViabilityOverrides } from '../../services/viability-settings.js';

// Shown to sales teams in Brazil next to the code, so in Portuguese.
export const REASON_MESSAGES: Record<AnswerReason, string> = {
  draft: 'Caixa em projeto (ainda não construída)',
  no_drop_splitter: 'Caixa sem splitter de atendimento',
  no_free_port: 'Caixa sem portas livres',
  outside_region: 'Caixa fora das regiões das tags pedidas',
  route_too_long: 'Sem rota pelos postes dentro do tamanho máximo de drop',
  horizontal_condo: 'Caixa de condomínio horizontal: atende só os moradores do condomínio',
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

type AnswerBox = ViabilityAnswer['boxes'][number] | ViabilityAnswer['refused'][number];

/**
 * The OZmap response shape (see docs/api.md): `viable, boxes, refused_boxes, properties`, plus the
 * mode and, in pole mode, each box's straight-line distance, pole and (when asked) route.
 */
export function toOzmapViability(answer: ViabilityAnswer) {
  // With today's defaults (radius mode, no communities) the shape is exactly OZmap's.
  const poles = answer.mode === 'poles';
  const condos = answer.settings.horizontalCondos;
  // The answer's box objects are made fresh for this call: extend them rather than copy them, and
  // copy only to drop the keys OZmap does not have (radius mode without communities has none).
  const shape = (b: AnswerBox, viable: boolean): Record<string, unknown> => {
    let out = b as unknown as Record<string, unknown>;
    if ('horizontalCondos' in b || 'straightDistance' in b) {
      const { horizontalCondos, straightDistance, ...rest } = b;
      out = rest;
    }
    if (viable || condos) {
      out.horizontal_condos = (b.horizontalCondos ?? []).map((c) => ({ id: c.id, name: c.name }));
    }
    if (b.straightDistance !== undefined) out.straight_distance = b.straightDistance;
    return out;
  };
  const refusedShape = (b: ViabilityAnswer['refused'][number]): Record<string, unknown> => {
    let out = shape(b, false);
    if ('routeLength' in out) {
      const { routeLength, ...rest } = out;
      out = rest;
    }
    out.reason_message = REASON_MESSAGES[b.reason];
    if (b.routeLength !== undefined) out.route_length = b.routeLength;
    return out;
  };
  return {
    viable: answer.viable,
    lat: answer.point.lat,
    lng: answer.point.lng,
    radius: answer.radius,
    ...(poles ? { mode: answer.mode } : {}),
    ...(answer.radiusCapped
      ? { radius_capped: true, message: `radius capped at ${answer.radius} m` }
      : {}),
    ...(poles
      ? {
          poles: {
            access_distance: answer.settings.poleAccessDistance,
            max_drop_length: Math.min(
              answer.settings.maxDropLength,
              answer.settings.capDropLength ?? Infinity,
            ),
            start_poles: answer.startPoles ?? 0,
          },
          ...(answer.startPoles === 0 && answer.horizontalCondos.length === 0
            ? {
                message: `no pole within ${answer.settings.poleAccessDistance} m of the point`,
              }
            : {}),
        }
      : {}),
    boxes: answer.boxes.map((b) => shape(b, true)),
    refused_boxes: answer.refused.map(refusedShape),
    // Both lists show the nearest boxes up to the maximum; these count the rest.
    boxes_omitted: answer.boxesOmitted,
    refused_boxes_omitted: answer.refusedOmitted,
    ...(condos ? { horizontal_condos: answer.horizontalCondos } : {}),
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

/**
 * `GET /api/v2/ftth-viability/radius?lat&lng[&radius][&tags][&mode][&accessDistance]
 * [&maxDropLength][&maxBoxes][&routes]` in the caller's mode (its profile's, else the system's;
 * radius by default), and `/poles` always in pole mode. Mount at `/api/v2/ftth-viability`.
 */
export function viabilityRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(apiKeyAuth(ctx), requireAction('read'));
  const answer = (forced?: ViabilityOverrides) => async (req: Request, res: Response) => {
    const profile = await ctx.integrations.profile(req.principal?.integration ?? 'generic');
    const answer = ctx.viability.check({
      defaultRadius: profile.defaultRadiusMeters,
      lat: req.query.lat,
      lng: req.query.lng,
      radius: req.query.radius,
      tags: parseTags(req.query.tags),
      settings: [profile.viability, { ...requestOverrides(req.query), ...forced }],
      routes: req.query.routes === 'true',
    });
    // The hottest route: skip res.json's generic send path (charset, freshness, etc.).
    const body = JSON.stringify(toOzmapViability(answer));
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  router.get('/radius', answer());
  router.get('/poles', answer({ mode: 'poles' }));
  return router;
}
