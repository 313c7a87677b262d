import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { GeoPoint } from '../bot/conversation/messages.js';
import type { Config } from '../config.js';
import { builtAssets, builtPageTemplate, pageSecurityHeaders } from '../http/built-page.js';
import { mapPageCsp } from '../http/map-page-csp.js';
import type { Logger } from '../logger.js';
import { clientIp, type RateLimiter } from '../http/rate-limit.js';
import { GeocoderTimeoutError, type Geocoder } from './geocoder.js';
import type { ConfirmedLocation } from './handback.js';
import type { FindMeLink, FindMeLinks, LinkCheck } from './links.js';
import { linkProblemPage, renderFindMePage, type FindMePageConfig } from './pages.js';

/** Where the router is mounted; links point here (`${PUBLIC_URL}/findme/<token>`). */
export const FINDME_PATH = '/findme';
export const TOKEN_HEADER = 'x-findme-token';

export interface FindMeRouterDeps {
  links: FindMeLinks;
  /** Absent when `GEOCODER_URL` is unset: the page says search is off; GPS and the pin still work. */
  geocoder?: Geocoder;
  /** The hand-back: continue the customer's conversation with this point (see findMeHandBack). */
  onConfirmed(confirmed: ConfirmedLocation): Promise<void>;
  /** Optional service-area check; false → the page says the point is outside the area we serve. */
  networkArea?: (point: GeoPoint) => boolean | Promise<boolean>;
  /**
   * Optional preview shown after confirming: a yes/no and, in pole mode, the drop's way along the
   * poles to the nearest box ([lng, lat] points, and its length) for the map to draw; no names.
   */
  previewViability?: (point: GeoPoint) => Promise<ViabilityPreview>;
  map: Config['map'];
  /** Where the map opens before GPS or a search (the provider's city). */
  mapCenter?: GeoPoint;
  /** The Vite output folder (web/dist). */
  webDist?: string;
  logger: Logger;
  /** Geocoder calls per client IP, on top of the per-link limit. */
  geocodePerIp?: RateLimiter;
}

/** Rough but safe: every point of Brazil, its islands included, is inside this box. */
export const BRAZIL_BOUNDS = { south: -33.76, north: 5.28, west: -74.0, east: -28.8 } as const;

export function insideBrazilBounds(p: GeoPoint): boolean {
  const b = BRAZIL_BOUNDS;
  return p.lat >= b.south && p.lat <= b.north && p.lng >= b.west && p.lng <= b.east;
}

const BODY_LIMIT_BYTES = 2048;
// Per link, so a leaked link cannot turn the proxy into a free geocoder for someone else.
const GEOCODE_CALLS_PER_LINK_PER_MINUTE = 30;
const PREVIEW_TIMEOUT_MS = 3000;
const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
const BRAZIL_CENTER: GeoPoint = { lat: -14.24, lng: -51.93 };

const MSG = {
  linkInvalid: 'Link inválido. Peça um novo link na conversa.',
  linkExpired: 'Este link expirou. Peça um novo link na conversa.',
  linkUsed: 'Esta localização já foi confirmada. Volte para a conversa.',
  badPoint: 'Coordenadas inválidas: envie latitude e longitude em números.',
  outsideBrazil: 'Esse ponto fica fora do Brasil. Arraste o marcador até o seu endereço.',
  outsideArea:
    'Esse ponto fica fora da nossa área de atendimento. Confira se o marcador está no lugar certo.',
  badQuery: 'Digite um endereço com pelo menos 3 letras.',
  searchOff: 'A busca de endereços não está disponível. Use o GPS ou arraste o marcador.',
  searchDown: 'A busca de endereços está fora do ar. Use o GPS ou arraste o marcador.',
  searchSlow:
    'A busca de endereços demorou demais. Tente de novo, use o GPS ou arraste o marcador.',
  tooMany: 'Muitas buscas seguidas. Espere um pouco e tente de novo.',
  tooLarge: 'Os dados enviados são grandes demais.',
  notJson: 'Os dados enviados não estão no formato esperado (JSON).',
  handBackFailed:
    'Não conseguimos avisar a conversa agora. Tente confirmar de novo em alguns instantes.',
  done: 'Pronto! Volte para a conversa',
} as const;

export const ConfirmSchema = z.object({
  token: z.string().min(1).max(1024),
  lat: z.number().finite().min(-90).max(90),
  lng: z.number().finite().min(-180).max(180),
  address: z.string().max(300).optional(),
});

const ReverseSchema = z.object({
  lat: z.coerce.number().finite().min(-90).max(90),
  lng: z.coerce.number().finite().min(-180).max(180),
});

/**
 * FindME routes, mounted at FINDME_PATH: the page for a link, its assets, the geocoding proxy
 * (only for holders of a valid link) and the confirmation that hands the point back to the chat.
 */
export function findmeRouter(deps: FindMeRouterDeps): Router {
  const router = Router();
  const webDist = deps.webDist ?? DEFAULT_WEB_DIST;
  const limiter = new PerLinkLimiter(GEOCODE_CALLS_PER_LINK_PER_MINUTE, 60_000);
  const csp = mapPageCsp(deps.map, { framable: false });
  const readTemplate = builtPageTemplate({
    webDist,
    folder: 'findme',
    name: 'FindME',
    logger: deps.logger,
  });

  router.use(pageSecurityHeaders);
  router.use('/assets', builtAssets(webDist));

  router.get('/api/search', async (req, res) => {
    const link = await apiLink(req, res);
    if (!link) return;
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (q.length < 3 || q.length > 200) return reply(res, 400, MSG.badQuery);
    const geocoder = deps.geocoder;
    if (!geocoder) return reply(res, 503, MSG.searchOff);
    if (!(await mayGeocode(req, res, link))) return;
    const found = await geocode(res, () => geocoder.search(q));
    if (found) res.json({ results: found.value });
  });

  router.get('/api/reverse', async (req, res) => {
    const link = await apiLink(req, res);
    if (!link) return;
    const parsed = ReverseSchema.safeParse(req.query);
    if (!parsed.success) return reply(res, 400, MSG.badPoint);
    const point = parsed.data;
    const geocoder = deps.geocoder;
    if (!geocoder) return reply(res, 503, MSG.searchOff);
    if (!insideBrazilBounds(point)) return void res.json({ address: null });
    if (!(await mayGeocode(req, res, link))) return;
    const found = await geocode(res, () => geocoder.reverse(point));
    if (found) res.json({ address: found.value ?? null });
  });

  router.post('/api/confirm', express.json({ limit: BODY_LIMIT_BYTES }), async (req, res) => {
    // The app's own JSON parser may have run first with its larger limit: check the size here too.
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > BODY_LIMIT_BYTES || JSON.stringify(req.body ?? null).length > BODY_LIMIT_BYTES) {
      return reply(res, 413, MSG.tooLarge);
    }
    if (!req.is('application/json')) return reply(res, 415, MSG.notJson);
    const parsed = ConfirmSchema.safeParse(req.body);
    if (!parsed.success) {
      const tokenBad = parsed.error.issues.some((i) => i.path[0] === 'token');
      return reply(res, 400, tokenBad ? MSG.linkInvalid : MSG.badPoint);
    }
    const { token, lat, lng } = parsed.data;
    const check = await deps.links.verify(token);
    if (!check.ok) return linkFailure(res, check);
    const link = check.link;
    const point = { lat, lng };
    if (!insideBrazilBounds(point)) return reply(res, 422, MSG.outsideBrazil);
    if (deps.networkArea && !(await deps.networkArea(point))) {
      return reply(res, 422, MSG.outsideArea);
    }
    if (!(await deps.links.claim(link))) return reply(res, 409, MSG.linkUsed);
    const address = cleanAddress(parsed.data.address);
    try {
      await deps.onConfirmed({
        linkId: link.linkId,
        channel: link.channel,
        chatId: link.chatId,
        point,
        ...(address ? { address } : {}),
      });
    } catch (err) {
      await deps.links.release(link);
      logOf(req, deps).error(
        { err, linkId: link.linkId, channel: link.channel },
        'findme hand-back failed',
      );
      return reply(res, 502, MSG.handBackFailed);
    }
    logOf(req, deps).info(
      { linkId: link.linkId, channel: link.channel },
      'findme location confirmed',
    );
    const viable = await preview(deps, point, req);
    res.json({ message: MSG.done, ...(address ? { address } : {}), ...viable });
  });

  router.get('/:token', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', csp);
    const check = await deps.links.verify(req.params.token);
    if (!check.ok) {
      const status = check.reason === 'expired' || check.reason === 'used' ? 410 : 404;
      const channel = 'link' in check ? check.link.channel : undefined;
      return void res.status(status).type('html').send(linkProblemPage(check.reason, channel));
    }
    const html = await readTemplate();
    if (!html) return void res.status(503).type('html').send(linkProblemPage('unavailable'));
    const config: FindMePageConfig = {
      token: req.params.token,
      expiresAt: check.link.expiresAt.toISOString(),
      searchEnabled: deps.geocoder !== undefined,
      center: deps.mapCenter ?? BRAZIL_CENTER,
      zoom: deps.mapCenter ? 14 : 4,
      tiles: {
        street: { url: deps.map.tileUrl, attribution: deps.map.tileAttribution },
        satellite: { url: deps.map.satelliteTileUrl, attribution: deps.map.satelliteAttribution },
      },
    };
    res.type('html').send(renderFindMePage(html, config, FINDME_PATH));
  });

  const bodyErrors: ErrorRequestHandler = (err: { type?: string }, _req, res, next) => {
    if (err?.type === 'entity.too.large') return reply(res, 413, MSG.tooLarge);
    if (err?.type === 'entity.parse.failed') return reply(res, 400, MSG.notJson);
    next(err);
  };
  router.use(bodyErrors);

  /** Per link and per client IP; answers 429 itself when either is used up. */
  async function mayGeocode(req: Request, res: Response, link: FindMeLink): Promise<boolean> {
    const wait = limiter.take(link.linkId) ? await deps.geocodePerIp?.take(clientIp(req)) : 60;
    if (wait === undefined) return true;
    res.setHeader('Retry-After', String(wait));
    reply(res, 429, MSG.tooMany);
    return false;
  }

  /** The link behind an API call (header X-FindMe-Token); answers the failure itself. */
  async function apiLink(req: Request, res: Response): Promise<FindMeLink | undefined> {
    res.setHeader('Cache-Control', 'no-store');
    const check = await deps.links.verify(req.get(TOKEN_HEADER) ?? '');
    if (check.ok) return check.link;
    linkFailure(res, check);
    return undefined;
  }

  return router;
}

/** The request's logger (with its id) when the app's request log runs, else the router's. */
function logOf(req: Request, deps: FindMeRouterDeps): Logger {
  // `req.log` is absent when the router runs without the app's request log.
  return (req as { log?: Logger }).log ?? deps.logger;
}

function reply(res: Response, status: number, message: string): void {
  res.status(status).json({ message });
}

function linkFailure(res: Response, check: Exclude<LinkCheck, { ok: true }>): void {
  switch (check.reason) {
    case 'expired':
      return reply(res, 410, MSG.linkExpired);
    case 'used':
      return reply(res, 409, MSG.linkUsed);
    case 'malformed':
    case 'tampered':
      return reply(res, 401, MSG.linkInvalid);
  }
}

/** Runs a geocoder call; on failure answers 503/504 with a message and resolves undefined. */
async function geocode<T>(
  res: Response,
  call: () => Promise<T>,
): Promise<{ value: T } | undefined> {
  try {
    return { value: await call() };
  } catch (err) {
    if (err instanceof GeocoderTimeoutError) reply(res, 504, MSG.searchSlow);
    else reply(res, 503, MSG.searchDown);
    return undefined;
  }
}

export interface ViabilityPreview {
  viable: boolean;
  route?: Array<[number, number]>;
  routeLength?: number;
}

async function preview(
  deps: FindMeRouterDeps,
  point: GeoPoint,
  req: Request,
): Promise<Partial<ViabilityPreview>> {
  if (!deps.previewViability) return {};
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('viability preview timed out')),
        PREVIEW_TIMEOUT_MS,
      );
    });
    const { viable, route, routeLength } = await Promise.race([
      deps.previewViability(point),
      timeout,
    ]);
    return { viable, ...(route ? { route, routeLength } : {}) };
  } catch (err) {
    // The preview is a courtesy: the conversation already has the point and will answer.
    logOf(req, deps).warn({ err }, 'findme viability preview failed');
    return {};
  } finally {
    clearTimeout(timer);
  }
}

/** Free text from the page: one line, no control characters, bounded. */
function cleanAddress(address: string | undefined): string | undefined {
  const text = address
    ?.replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? text.slice(0, 300) : undefined;
}

/** Fixed one-minute windows per link. */
class PerLinkLimiter {
  private readonly windows = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  take(key: string): boolean {
    const now = Date.now();
    if (this.windows.size > 10_000) {
      for (const [k, w] of this.windows) if (w.until <= now) this.windows.delete(k);
    }
    const w = this.windows.get(key);
    if (!w || w.until <= now) {
      this.windows.set(key, { count: 1, until: now + this.windowMs });
      return true;
    }
    w.count += 1;
    return w.count <= this.max;
  }
}
