import { fileURLToPath } from 'node:url';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ConflictError, NoFreePortError, NotFoundError, ValidationError } from '../../errors.js';
import { parseTags } from '../ozmap-api/viability-route.js';
import { GeocoderTimeoutError } from '../../findme/geocoder.js';
import { insideBrazilBounds } from '../../findme/routes.js';
import { builtAssets, builtPageTemplate, pageSecurityHeaders } from '../../http/built-page.js';
import { mapPageCsp } from '../../http/map-page-csp.js';
import { allowFraming } from '../../http/security.js';
import type { Logger } from '../../logger.js';
import type { GeoPoint } from '../../services/geo-input.js';
import type { IntegrationProfile } from '../../services/integrations.js';
import type { Reservation } from '../../services/reservations.js';
import { keyFromHeader } from '../ozmap-api/auth.js';
import {
  ozlocProblemPage,
  renderOzlocPage,
  type OzlocBoxesResponse,
  type OzlocPageConfig,
  type OzlocReserveResponse,
} from './ozloc-page.js';
import { loadOzlocSecret, OzlocSessions, type OzlocSession } from './session.js';

/** Where the lead mounts the router; Ispbox 2 opens `${server}/ozloc?...`. */
export const OZLOC_PATH = '/ozloc';
/** The page's API calls carry the sealed session here (never the raw API key). */
export const SESSION_HEADER = 'x-ozloc-session';

export interface OzlocOptions {
  /** The Vite output folder (web/dist). */
  webDist?: string;
  /** How long one visit may go on before the page must be opened again from Ispbox. */
  sessionTtlMinutes?: number;
}

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));
const DEFAULT_SESSION_TTL_MINUTES = 30;
const MAX_CODE = 100;
const MAX_NAME = 200;
const MAX_ADDRESS = 300;

/** A visit that cannot go on: a pt-BR page for the browser, `{message}` for an API caller. */
class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly body: string,
    readonly next: string,
  ) {
    super(`${body} ${next}`);
  }
}

const REOPEN = 'Preencha os dados do cliente no Ispbox 2 e clique em “Abrir OZmap” de novo.';
const CHECK_KEY =
  'Confira a API Key nas configurações de integração com o OZmap no Ispbox 2 (ou peça uma nova ao administrador).';

const PROBLEMS = {
  missingKey: () =>
    new Problem(
      401,
      'Acesso não autorizado',
      'O Ispbox 2 não enviou a chave de API (parâmetro authorization).',
      'Abra esta página pelo botão “Abrir OZmap” do Ispbox 2. Se o erro continuar, confira a API Key nas configurações de integração com o OZmap no Ispbox 2.',
    ),
  badKey: () =>
    new Problem(
      401,
      'Acesso não autorizado',
      'A chave de API enviada pelo Ispbox 2 é inválida ou foi revogada.',
      CHECK_KEY,
    ),
  forbidden: (integration: string) =>
    new Problem(
      403,
      'Reserva não permitida',
      `A integração “${integration}” não tem permissão para reservar portas.`,
      'Peça ao administrador para liberar reservas nesta integração.',
    ),
  noCode: () =>
    new Problem(400, 'Dados incompletos', 'Falta o código do cliente (cod_cli).', REOPEN),
  longField: (field: string, max: number) =>
    new Problem(
      400,
      'Dados inválidos',
      `O campo ${field} passa de ${max} caracteres.`,
      'Corrija o cadastro do cliente no Ispbox 2 e abra o OZmap de novo.',
    ),
  noPoint: () =>
    new Problem(
      400,
      'Dados incompletos',
      'Informe as coordenadas (lat e lng) ou o endereço do cliente.',
      REOPEN,
    ),
  badPoint: () =>
    new Problem(
      400,
      'Coordenadas inválidas',
      'Latitude e longitude devem ser números (por exemplo lat=-23.4253 e lng=-51.9386).',
      'Corrija as coordenadas do cliente no Ispbox 2 e abra o OZmap de novo.',
    ),
  outsideBrazil: () =>
    new Problem(
      422,
      'Coordenadas fora do Brasil',
      'Essas coordenadas ficam fora do Brasil.',
      'Confira se latitude e longitude não estão trocadas no cadastro do cliente no Ispbox 2.',
    ),
  addressNotFound: (address: string) =>
    new Problem(
      422,
      'Endereço não encontrado',
      `Não encontramos o endereço “${address}”.`,
      'Confira rua, número, bairro e cidade no Ispbox 2, ou preencha as coordenadas do cliente, e abra o OZmap de novo.',
    ),
  noGeocoder: (address: string) =>
    new Problem(
      422,
      'Endereço não encontrado',
      `Não encontramos o endereço “${address}”: a busca de endereços não está ativada neste servidor.`,
      'Preencha as coordenadas (latitude e longitude) do cliente no Ispbox 2 e abra o OZmap de novo.',
    ),
  geocoderDown: () =>
    new Problem(
      503,
      'Busca de endereços fora do ar',
      'A busca de endereços não respondeu agora.',
      'Tente de novo em alguns minutos, ou preencha as coordenadas do cliente no Ispbox 2.',
    ),
  geocoderSlow: () =>
    new Problem(
      504,
      'Busca de endereços lenta',
      'A busca de endereços demorou demais para responder.',
      'Tente de novo em alguns instantes, ou preencha as coordenadas do cliente no Ispbox 2.',
    ),
  unknownTags: (message: string) =>
    new Problem(
      400,
      'Tags de viabilidade inválidas',
      `Não conhecemos estas tags de viabilidade (viabilityTags): ${message}.`,
      'Confira as tags configuradas no Ispbox 2 (os nomes devem ser os das tags das regiões no mapa).',
    ),
  unavailable: () =>
    new Problem(
      503,
      'Página indisponível',
      'O mapa do OZloc está em manutenção agora.',
      'Tente de novo em alguns minutos.',
    ),
};

/** Messages of the page's API, shown on the page as they are. */
const MSG = {
  sessionInvalid: 'Sessão inválida. Abra o OZmap de novo pelo Ispbox 2.',
  sessionExpired: 'Esta sessão expirou. Abra o OZmap de novo pelo Ispbox 2.',
  keyRevoked: 'A chave de API desta sessão foi revogada. Fale com o administrador.',
  forbidden: (integration: string) =>
    `A integração “${integration}” não tem permissão para reservar portas.`,
  noBoxes: (radius: number) =>
    `Nenhuma caixa com porta livre em até ${radius} m deste ponto. Não há viabilidade para este cliente agora.`,
  noBoxesByPoles: (drop: number) =>
    `Nenhuma caixa com porta livre alcançável pelos postes com até ${drop} m de drop. Não há viabilidade para este cliente agora.`,
  noPoleNear: (access: number) =>
    `Nenhum poste cadastrado a até ${access} m deste ponto: não há como levar o drop. Não há viabilidade para este cliente agora.`,
  pickBox: 'Escolha uma caixa da lista.',
  filledMeanwhile:
    'Esta caixa ficou sem portas livres enquanto você escolhia. A lista foi atualizada: escolha outra caixa.',
  notServing:
    'Esta caixa não pode receber clientes agora (em projeto ou sem splitter de atendimento). Escolha outra caixa.',
  outsideRadius: 'Esta caixa fica fora do raio de atendimento deste cliente. Escolha uma da lista.',
  tooFar:
    'Esta caixa não alcança este cliente pelos postes dentro do tamanho máximo de drop. Escolha uma da lista.',
  condoOnly:
    'Esta caixa é de um condomínio horizontal e atende só os moradores. Escolha uma da lista.',
  boxGone: 'Esta caixa não existe mais. A lista foi atualizada: escolha outra caixa.',
  codeWithoutPort: (code: string) =>
    `Já existe um cliente com o código ${code}, mas sem porta reservada. Fale com o administrador da rede.`,
  created: (r: Reservation) =>
    `Reserva criada: Caixa ${r.boxName ?? r.boxId}, Splitter ${r.splitterName ?? r.splitterId}, Porta ${r.port}`,
  existing: (r: Reservation) =>
    `Este cliente já tinha uma reserva: Caixa ${r.boxName ?? r.boxId}, Splitter ${r.splitterName ?? r.splitterId}, Porta ${r.port}`,
} as const;

export const ReserveSchema = z.object({ boxId: z.string().trim().min(1).max(64) });

/**
 * OZloc for Ispbox 2, mounted at OZLOC_PATH. `GET /ozloc?lat&lng|address&cod_cli&client_name&…`
 * with the API key (`authorization` parameter or header) opens the map page; the page lists the
 * viable boxes (`GET api/boxes`) and reserves a port in the one the user picks (`POST
 * api/reserve`), both with the sealed session the page was served with.
 */
export function ozlocRouter(ctx: AppContext, options: OzlocOptions = {}): Router {
  const router = Router();
  const webDist = options.webDist ?? DEFAULT_WEB_DIST;
  const ttlMs = (options.sessionTtlMinutes ?? DEFAULT_SESSION_TTL_MINUTES) * 60_000;
  // No frame-ancestors: Ispbox 2 may show OZloc inside its own screen.
  const csp = mapPageCsp(ctx.config.map, { framable: true });
  let sessions: Promise<OzlocSessions> | undefined;
  const readTemplate = builtPageTemplate({
    webDist,
    folder: 'ozloc',
    name: 'OZloc',
    logger: ctx.logger,
  });

  const getSessions = (): Promise<OzlocSessions> =>
    (sessions ??= loadOzlocSecret(ctx.db, ctx.secrets)
      .then((secret) => new OzlocSessions(secret, ttlMs, ctx.now))
      .catch((err: unknown) => {
        sessions = undefined;
        throw err;
      }));

  // The opening URL carries the API key: never let it leave in a Referer (tiles, links).
  router.use(pageSecurityHeaders);
  router.use('/assets', builtAssets(webDist));

  router.get('/', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', csp);
    allowFraming(res);
    try {
      const key =
        keyFromHeader(req.headers.authorization) ?? keyFromHeader(param(req, 'authorization'));
      if (!key) throw PROBLEMS.missingKey();
      const principal = await ctx.apiKeys.verify(key);
      if (!principal) throw PROBLEMS.badKey();
      const profile = await ctx.integrations.profile(principal.integration);
      if (!profile.mayReserve) throw PROBLEMS.forbidden(profile.name);

      const code = text(req, 'cod_cli', MAX_CODE);
      if (!code) throw PROBLEMS.noCode();
      const name = text(req, 'client_name', MAX_NAME);
      const given = text(req, 'address', MAX_ADDRESS);
      const address = text(req, 'client_address', MAX_ADDRESS) ?? given;
      const integrationCode = text(req, 'integration_code', MAX_CODE);
      const tags = parseTags(param(req, 'viabilityTags'));
      const located = await locate(req, given);
      if (!insideBrazilBounds(located.point)) throw PROBLEMS.outsideBrazil();

      const html = await readTemplate();
      if (!html) throw PROBLEMS.unavailable();
      // Checked now, so a bad tag is a clear page rather than an empty list later.
      let opened;
      try {
        opened = ctx.viability.check({
          ...located.point,
          defaultRadius: profile.defaultRadiusMeters,
          tags,
          settings: [profile.viability],
        });
      } catch (err) {
        if (err instanceof ValidationError && err.field === 'tags') {
          throw PROBLEMS.unknownTags(err.message.replace(/^unknown tag\(s\): /, ''));
        }
        throw err;
      }

      const { token, expiresAt } = (await getSessions()).create({
        keyId: principal.keyId,
        clientCode: code,
        point: located.point,
        ...(name ? { clientName: name } : {}),
        ...(address ? { address } : {}),
        ...(integrationCode ? { integrationCode } : {}),
        ...(tags?.length ? { tags } : {}),
      });
      const config: OzlocPageConfig = {
        session: token,
        expiresAt: expiresAt.toISOString(),
        point: located.point,
        radius: opened.radius,
        mode: opened.mode,
        ...(opened.mode === 'poles' ? { maxDropLength: dropOf(opened) } : {}),
        ...(tags?.length ? { tags } : {}),
        client: {
          code,
          ...(name ? { name } : {}),
          ...(address ? { address } : {}),
        },
        ...(located.label ? { geocoded: { label: located.label } } : {}),
        tiles: {
          street: { url: ctx.config.map.tileUrl, attribution: ctx.config.map.tileAttribution },
          satellite: {
            url: ctx.config.map.satelliteTileUrl,
            attribution: ctx.config.map.satelliteAttribution,
          },
        },
      };
      logOf(req, ctx.logger).info(
        { keyId: principal.keyId, integration: profile.name, geocoded: !!located.label },
        'ozloc opened',
      );
      res.type('html').send(renderOzlocPage(html, config, OZLOC_PATH));
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      if (req.accepts(['html', 'json']) === 'json') {
        return void res.status(err.status).json({ message: err.message });
      }
      res
        .status(err.status)
        .type('html')
        .send(ozlocProblemPage(err.title, err.body, err.next));
    }
  });

  router.get('/api/boxes', async (req, res) => {
    const visit = await apiSession(req, res);
    if (!visit) return;
    const answer = ctx.viability.check({
      ...visit.session.point,
      defaultRadius: visit.profile.defaultRadiusMeters,
      tags: visit.session.tags,
      settings: [visit.profile.viability],
      routes: true,
    });
    const poles = answer.mode === 'poles';
    const none = poles
      ? answer.startPoles === 0 && answer.horizontalCondos.length === 0
        ? MSG.noPoleNear(answer.settings.poleAccessDistance)
        : MSG.noBoxesByPoles(dropOf(answer))
      : MSG.noBoxes(answer.radius);
    const body: OzlocBoxesResponse = {
      radius: answer.radius,
      mode: answer.mode,
      boxes: answer.boxes.map((b) => ({
        id: b.id,
        name: b.name ?? b.id,
        distance: b.distance,
        freePorts: b.availability,
        lat: b.lat,
        lng: b.lng,
        ...(b.straightDistance !== undefined ? { straightDistance: b.straightDistance } : {}),
        ...(b.route ? { route: b.route.coordinates } : {}),
      })),
      ...(answer.boxes.length === 0 ? { message: none } : {}),
    };
    res.json(body);
  });

  router.post('/api/reserve', async (req, res) => {
    const visit = await apiSession(req, res);
    if (!visit) return;
    const { session, profile } = visit;
    const parsed = ReserveSchema.safeParse(req.body);
    if (!parsed.success) return reply(res, 400, MSG.pickBox);
    const boxId = parsed.data.boxId;

    // The same client code again is the same reservation, whichever box was picked this time.
    let reservation: Reservation | undefined;
    try {
      reservation = await ctx.reservations.find(session.clientCode);
    } catch (err) {
      if (err instanceof ConflictError)
        return reply(res, 409, MSG.codeWithoutPort(session.clientCode));
      throw err;
    }
    if (!reservation) {
      const answer = ctx.viability.check({
        ...session.point,
        defaultRadius: profile.defaultRadiusMeters,
        tags: session.tags,
        settings: [profile.viability],
      });
      if (!answer.boxes.some((b) => b.id === boxId)) {
        const refused = answer.refused.find((b) => b.id === boxId);
        if (refused?.reason === 'no_free_port') return reply(res, 409, MSG.filledMeanwhile);
        if (refused?.reason === 'route_too_long') return reply(res, 422, MSG.tooFar);
        if (refused?.reason === 'horizontal_condo') return reply(res, 422, MSG.condoOnly);
        if (refused) return reply(res, 409, MSG.notServing);
        return reply(res, 422, answer.mode === 'poles' ? MSG.tooFar : MSG.outsideRadius);
      }
      try {
        reservation = await ctx.reservations.reserve({
          clientCode: session.clientCode,
          client: { ...(session.clientName ? { name: session.clientName } : {}) },
          ...(session.address ? { address: session.address } : {}),
          point: session.point,
          target: { kind: 'box', boxId },
          ports: {
            blockedAsFree: answer.settings.blockedPortsFree,
            vacantAsFree: answer.settings.propertyPortsFree,
          },
          reservedBy: profile.name,
          expiresInDays: profile.reservationDays,
          meta: {
            source: 'ozloc',
            apiKeyId: session.keyId,
            ...(session.integrationCode ? { integrationCode: session.integrationCode } : {}),
          },
        });
      } catch (err) {
        // Another sale took the last port between the check above and our transaction.
        if (err instanceof NoFreePortError) return reply(res, 409, MSG.filledMeanwhile);
        if (err instanceof ConflictError) return reply(res, 409, MSG.notServing);
        if (err instanceof NotFoundError) return reply(res, 404, MSG.boxGone);
        throw err;
      }
    }
    logOf(req, ctx.logger).info(
      {
        keyId: session.keyId,
        integration: profile.name,
        clientId: reservation.clientId,
        boxId: reservation.boxId,
        splitterId: reservation.splitterId,
        port: reservation.port,
        created: reservation.created,
      },
      'ozloc reservation',
    );
    const body: OzlocReserveResponse = {
      created: reservation.created,
      clientCode: reservation.clientCode,
      boxId: reservation.boxId,
      boxName: reservation.boxName ?? reservation.boxId,
      splitterId: reservation.splitterId,
      splitterName: reservation.splitterName ?? reservation.splitterId,
      port: reservation.port,
      expiresAt: reservation.expiresAt?.toISOString() ?? null,
      message: reservation.created ? MSG.created(reservation) : MSG.existing(reservation),
    };
    res.status(reservation.created ? 201 : 200).json(body);
  });

  /** The point from lat/lng, or from geocoding the address. */
  async function locate(
    req: Request,
    address: string | undefined,
  ): Promise<{ point: GeoPoint; label?: string }> {
    const lat = param(req, 'lat');
    const lng = param(req, 'lng');
    if (lat !== undefined || lng !== undefined) {
      const point = { lat: coordinate(lat, 90), lng: coordinate(lng, 180) };
      if (point.lat === undefined || point.lng === undefined) throw PROBLEMS.badPoint();
      return { point: { lat: point.lat, lng: point.lng } };
    }
    if (!address) throw PROBLEMS.noPoint();
    if (!ctx.geocoder) throw PROBLEMS.noGeocoder(address);
    let found;
    try {
      found = await ctx.geocoder.search(address);
    } catch (err) {
      logOf(req, ctx.logger).warn({ err }, 'ozloc geocoding failed');
      throw err instanceof GeocoderTimeoutError ? PROBLEMS.geocoderSlow() : PROBLEMS.geocoderDown();
    }
    const first = found[0];
    if (!first) throw PROBLEMS.addressNotFound(address);
    return { point: first.point, label: first.label };
  }

  /** The visit behind an API call (header X-Ozloc-Session); answers the failure itself. */
  async function apiSession(
    req: Request,
    res: Response,
  ): Promise<{ session: OzlocSession; profile: IntegrationProfile } | undefined> {
    res.setHeader('Cache-Control', 'no-store');
    const check = (await getSessions()).verify(req.get(SESSION_HEADER) ?? '');
    if (!check.ok) {
      reply(res, 401, check.reason === 'expired' ? MSG.sessionExpired : MSG.sessionInvalid);
      return undefined;
    }
    // A key revoked during the visit ends it, and a profile changed meanwhile applies at once.
    const key = await ctx.db.apiKey.findUnique({
      where: { id: check.session.keyId },
      select: { revokedAt: true, integration: true },
    });
    if (!key || key.revokedAt) {
      reply(res, 401, MSG.keyRevoked);
      return undefined;
    }
    const profile = await ctx.integrations.profile(key.integration);
    if (!profile.mayReserve) {
      reply(res, 403, MSG.forbidden(profile.name));
      return undefined;
    }
    return { session: check.session, profile };
  }

  return router;
}

/** One query parameter as a string (a repeated or nested one counts as absent). */
function param(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Free text from the query: one line, no control characters; too long is an error, not a cut. */
function text(req: Request, name: string, max: number): string | undefined {
  const cleaned = param(req, name)
    ?.replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!cleaned) return undefined;
  if (cleaned.length > max) throw PROBLEMS.longField(name, max);
  return cleaned;
}

/** A coordinate in degrees; a decimal comma ("-23,4253", as Brazilian forms write it) is fine. */
function coordinate(value: string | undefined, limit: number): number | undefined {
  const raw = value?.trim();
  if (!raw) return undefined;
  const normal = raw.includes('.') ? raw : raw.replace(',', '.');
  if (!/^[+-]?\d+(\.\d+)?$/.test(normal)) return undefined;
  const n = Number(normal);
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : undefined;
}

/** The drop limit an answer ran with (the caller's cap, when stricter than the default). */
function dropOf(answer: { settings: { maxDropLength: number; capDropLength?: number } }): number {
  return Math.min(answer.settings.maxDropLength, answer.settings.capDropLength ?? Infinity);
}

function reply(res: Response, status: number, message: string): void {
  res.status(status).json({ message });
}

function logOf(req: Request, fallback: Logger): Logger {
  // `req.log` is absent when the router runs without the app's request log.
  return (req as { log?: Logger }).log ?? fallback;
}
