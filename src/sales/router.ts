import { Router, type Request, type Response } from 'express';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import type { ViabilityService } from '../services/viability-service.js';
import { audit, listAudit } from './audit.js';
import { csvLine, CSV_BOM, type CsvValue } from './csv.js';
import type { HandoffQueue } from './handoffs.js';
import {
  actorOf,
  AUTH_TEXTS,
  requireCsrf,
  requireRole,
  requireSession,
  salesErrorHandler,
  sameOrigin,
} from './http-auth.js';
import { parseListQuery } from './list-query.js';
import type { LiveBus } from './live.js';
import { mapData, parseBbox } from './map-data.js';
import { addNote } from './notes.js';
import {
  PROSPECT_SORTS,
  PROSPECT_STATUSES,
  type ProspectRow,
  type SalesProspects,
} from './prospects.js';
import {
  RESERVATION_SORTS,
  RESERVATION_STATUSES,
  type ReservationRow,
  type SalesReservations,
} from './reservations.js';
import { sessionCookie, SESSION_COOKIE, type SalesSessions } from './sessions.js';
import { liveStream } from './live-stream.js';
import type { LoginThrottle } from './throttle.js';
import { today } from './today.js';
import type { SalesUsers } from './users.js';
import type { WebhookEndpoints } from './webhooks.js';

export interface SalesRouterDeps {
  db: Db;
  now: () => Date;
  logger: Logger;
  timeZone: string;
  publicUrl?: string;
  sessionHours: number;
  users: SalesUsers;
  sessions: SalesSessions;
  throttle: LoginThrottle;
  reservations: SalesReservations;
  prospects: SalesProspects;
  handoffs: HandoffQueue;
  webhooks: WebhookEndpoints;
  live: LiveBus;
  streams: Set<Response>;
  viability: ViabilityService;
}

const STATUS_PT: Record<string, string> = {
  active: 'Ativa',
  expiring: 'Expirando',
  confirmed: 'Confirmada',
  released: 'Liberada',
  new: 'Novo',
  contacted: 'Contatado',
  won: 'Ganho',
  lost: 'Perdido',
};

function str(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** The workspace's JSON API under /sales/api: sign-in, lists, detail, actions, live feed, admin. */
/** The parsed JSON body as a plain record (absent or not an object: empty). */
function b(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

export function salesApiRouter(d: SalesRouterDeps): Router {
  const api = Router();
  const fmt = new Intl.DateTimeFormat('pt-BR', {
    timeZone: d.timeZone,
    dateStyle: 'short',
    timeStyle: 'short',
  });
  const date = (iso: string | null) => (iso ? fmt.format(new Date(iso)) : '');
  const secure = (req: Request) => req.secure || d.publicUrl?.startsWith('https:') === true;

  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  api.post('/login', sameOrigin(d.publicUrl), async (req, res) => {
    const username = str(req.body, 'username').trim().toLowerCase();
    const password = str(req.body, 'password');
    if (!username) throw new ValidationError('Informe o usuário.', 'username');
    if (!password) throw new ValidationError('Informe a senha.', 'password');
    const address = req.ip ?? 'unknown';
    const wait = await d.throttle.attempt(username, address);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      res.status(429).json({
        message: `Muitas tentativas de entrada. Tente de novo em ${Math.ceil(wait / 60)} min.`,
      });
      return;
    }
    const result = await d.users.login(username, password);
    if (!result.ok) {
      if (result.reason === 'disabled') {
        res
          .status(403)
          .json({ message: 'Este usuário está desativado. Fale com um administrador.' });
      } else {
        res.status(401).json({ message: 'Usuário ou senha incorretos.', field: 'password' });
      }
      return;
    }
    await d.throttle.succeeded(username, address);
    const { user } = result;
    const session = await d.sessions.create(user.id);
    await audit(
      d.db,
      { type: 'user', id: user.id, name: user.username, role: user.role as 'admin' | 'sales' },
      { action: 'session.login', subjectType: 'user', subjectId: user.id },
      d.now(),
    );
    res.setHeader('Set-Cookie', sessionCookie(session.token, d.sessionHours * 3600, secure(req)));
    res.json({
      user: { id: user.id, username: user.username, role: user.role },
      csrfToken: session.csrfToken,
    });
  });

  const session = requireSession(d.sessions);
  api.use(session, requireCsrf, sameOrigin(d.publicUrl));

  api.get('/session', (req, res) => {
    const u = req.salesUser!;
    res.json({
      user: { id: u.userId, username: u.username, role: u.role },
      csrfToken: u.csrfToken,
    });
  });

  api.post('/logout', async (req, res) => {
    const u = req.salesUser!;
    await d.sessions.destroy(u.sessionId);
    await audit(
      d.db,
      actorOf(req),
      { action: 'session.logout', subjectType: 'user', subjectId: u.userId },
      d.now(),
    );
    res.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=; Path=/sales; HttpOnly; SameSite=Strict; Max-Age=0`,
    );
    res.status(204).end();
  });

  api.get('/events', liveStream(d.live, d.sessions, d.streams, d.logger));

  api.get('/today', async (_req, res) => {
    res.json(await today(d));
  });

  // Reservations
  const reservationQuery = (req: Request) =>
    parseListQuery(req.query, {
      statuses: RESERVATION_STATUSES,
      sorts: RESERVATION_SORTS,
      defaultSort: '-createdAt',
      timeZone: d.timeZone,
    });
  api.get('/reservations', async (req, res) => {
    res.json(await d.reservations.list(reservationQuery(req)));
  });
  api.get('/reservations.csv', async (req, res) => {
    const q = reservationQuery(req);
    await sendCsv(
      res,
      `reservas-${stamp(d.now())}.csv`,
      [
        'Código',
        'Nome',
        'Telefone',
        'CPF',
        'E-mail',
        'Origem',
        'Situação',
        'Criada em',
        'Expira em',
        'Liberada em',
        'Caixa',
        'Splitter',
        'Porta',
        'Endereço',
        'Etiquetas',
      ],
      d.reservations.export(q),
      (r: ReservationRow) => [
        r.code,
        r.name,
        r.phone,
        r.document,
        r.email,
        r.reservedBy,
        STATUS_PT[r.status],
        date(r.createdAt),
        date(r.expiresAt),
        date(r.releasedAt),
        r.box?.name ?? r.box?.id,
        r.splitter?.name,
        r.port,
        r.address,
        r.tags.join(', '),
      ],
    );
    await audit(
      d.db,
      actorOf(req),
      { action: 'reservation.export', subjectType: 'reservation', detail: { filter: req.query } },
      d.now(),
    );
  });
  api.get('/reservations/:id', async (req, res) => {
    res.json(await d.reservations.detail(req.params.id));
  });
  api.post('/reservations/:id/confirm', async (req, res) => {
    res.json(await d.reservations.confirm(req.params.id, b(req).version, actorOf(req)));
  });
  api.post('/reservations/:id/release', async (req, res) => {
    res.json(await d.reservations.release(req.params.id, b(req).version, actorOf(req)));
  });
  api.post('/reservations/:id/extend', async (req, res) => {
    res.json(await d.reservations.extend(req.params.id, b(req).version, b(req).days, actorOf(req)));
  });
  api.post('/reservations/:id/move', async (req, res) => {
    res.json(await d.reservations.move(req.params.id, b(req).version, b(req), actorOf(req)));
  });
  api.get('/reservations/:id/move-options', async (req, res) => {
    const { reservation } = await d.reservations.detail(req.params.id);
    if (reservation.lat === null || reservation.lng === null) {
      res.json({ boxes: [] });
      return;
    }
    const answer = d.viability.check({ lat: reservation.lat, lng: reservation.lng, radius: 1000 });
    res.json({
      boxes: answer.boxes.map((b) => ({
        id: b.id,
        name: b.name,
        distance: b.distance,
        freePorts: b.availability,
      })),
    });
  });
  api.post('/reservations/:id/notes', async (req, res) => {
    const id = req.params.id;
    await d.reservations.detail(id);
    const note = await addNote(d.db, 'reservation', id, b(req).text, actorOf(req), d.now());
    await d.live.publish({
      type: 'reservation.note',
      at: note.createdAt,
      subjectType: 'reservation',
      subjectId: id,
    });
    res.status(201).json(note);
  });

  // Prospects
  const prospectQuery = (req: Request) =>
    parseListQuery(req.query, {
      statuses: PROSPECT_STATUSES,
      sorts: PROSPECT_SORTS,
      defaultSort: '-createdAt',
      timeZone: d.timeZone,
    });
  api.get('/prospects', async (req, res) => {
    res.json(await d.prospects.list(prospectQuery(req)));
  });
  api.get('/prospects.csv', async (req, res) => {
    await sendCsv(
      res,
      `prospects-${stamp(d.now())}.csv`,
      [
        'Código',
        'Nome',
        'Telefone',
        'E-mail',
        'Endereço',
        'Origem',
        'Situação',
        'Criado em',
        'Etiquetas',
      ],
      d.prospects.export(prospectQuery(req)),
      (p: ProspectRow) => [
        p.code,
        p.name,
        p.phone,
        p.email,
        p.address,
        p.source,
        STATUS_PT[p.status],
        date(p.createdAt),
        p.tags.join(', '),
      ],
    );
    await audit(
      d.db,
      actorOf(req),
      { action: 'prospect.export', subjectType: 'prospect', detail: { filter: req.query } },
      d.now(),
    );
  });
  api.get('/prospects/:id', async (req, res) => {
    res.json(await d.prospects.detail(req.params.id));
  });
  api.post('/prospects/:id/status', async (req, res) => {
    res.json(
      await d.prospects.setStatus(req.params.id, b(req).version, b(req).status, actorOf(req)),
    );
  });
  api.post('/prospects/:id/notes', async (req, res) => {
    const id = req.params.id;
    await d.prospects.detail(id);
    const note = await addNote(d.db, 'prospect', id, b(req).text, actorOf(req), d.now());
    await d.live.publish({
      type: 'prospect.note',
      at: note.createdAt,
      subjectType: 'prospect',
      subjectId: id,
    });
    res.status(201).json(note);
  });

  // Filter choices: channels/integrations and tags, by name.
  api.get('/filters', async (_req, res) => {
    const [by, sources, tags] = await Promise.all([
      d.db.ftthClient.findMany({
        where: { reservedBy: { not: null } },
        distinct: ['reservedBy'],
        select: { reservedBy: true },
        take: 200,
      }),
      d.db.prospect.findMany({
        where: { source: { not: null } },
        distinct: ['source'],
        select: { source: true },
        take: 200,
      }),
      d.db.tag.findMany({ select: { name: true }, orderBy: { name: 'asc' }, take: 500 }),
    ]);
    res.json({
      reservedBy: by
        .map((r) => r.reservedBy)
        .filter(Boolean)
        .sort(),
      sources: sources
        .map((s) => s.source)
        .filter(Boolean)
        .sort(),
      tags: tags.map((t) => t.name),
    });
  });

  api.get('/map', async (req, res) => {
    res.json(await mapData(d.db, parseBbox(req.query.bbox), d.now()));
  });

  // Hand-offs
  api.get('/handoffs', async (req, res) => {
    res.json(req.query.history === '1' ? await d.handoffs.recent() : await d.handoffs.open());
  });
  api.get('/handoffs/:id', async (req, res) => {
    res.json(await d.handoffs.detail(req.params.id));
  });
  api.post('/handoffs/:id/take', async (req, res) => {
    res.json(await d.handoffs.take(req.params.id, actorOf(req)));
  });
  api.post('/handoffs/:id/reply', async (req, res) => {
    res.json(await d.handoffs.reply(req.params.id, actorOf(req), b(req).text));
  });
  api.post('/handoffs/:id/hand-back', async (req, res) => {
    res.json(await d.handoffs.handBack(req.params.id, actorOf(req)));
  });
  api.post('/handoffs/:id/close', async (req, res) => {
    res.json(await d.handoffs.close(req.params.id, actorOf(req)));
  });

  api.get('/audit', async (req, res) => {
    const before = typeof req.query.before === 'string' ? new Date(req.query.before) : undefined;
    if (before && Number.isNaN(before.getTime()))
      throw new ValidationError('before: a date', 'before');
    res.json(
      await listAudit(d.db, {
        subjectType: typeof req.query.subjectType === 'string' ? req.query.subjectType : undefined,
        actor: typeof req.query.actor === 'string' ? req.query.actor : undefined,
        before,
        limit: 100,
      }),
    );
  });

  // Administration: users and webhooks (admin role).
  const admin = requireRole('admin');
  api.get('/users', admin, async (_req, res) => {
    res.json(await d.users.list());
  });
  api.post('/users', admin, async (req, res) => {
    const password = str(req.body, 'password') || undefined;
    res
      .status(201)
      .json(
        await d.users.create(
          { username: b(req).username, role: b(req).role, password },
          actorOf(req),
        ),
      );
  });
  api.post('/users/:ref/disable', admin, async (req, res) => {
    res.json(await d.users.setDisabled(req.params.ref as string, true, actorOf(req)));
  });
  api.post('/users/:ref/enable', admin, async (req, res) => {
    res.json(await d.users.setDisabled(req.params.ref as string, false, actorOf(req)));
  });
  api.post('/users/:ref/reset-password', admin, async (req, res) => {
    res.json(await d.users.resetPassword(req.params.ref as string, actorOf(req)));
  });
  api.get('/webhooks', admin, async (_req, res) => {
    res.json(await d.webhooks.list());
  });
  api.post('/webhooks', admin, async (req, res) => {
    res.status(201).json(await d.webhooks.create(b(req), actorOf(req)));
  });
  api.patch('/webhooks/:id', admin, async (req, res) => {
    res.json(await d.webhooks.update(req.params.id as string, b(req), actorOf(req)));
  });
  api.delete('/webhooks/:id', admin, async (req, res) => {
    await d.webhooks.remove(req.params.id as string, actorOf(req));
    res.status(204).end();
  });
  api.get('/webhooks/:id/deliveries', admin, async (req, res) => {
    res.json(await d.webhooks.deliveries(req.params.id as string));
  });

  api.use((req, res) => {
    res.status(404).json({ message: `route ${req.method} ${req.path} not found` });
  });
  api.use(salesErrorHandler);
  return api;
}

function stamp(at: Date): string {
  return at.toISOString().slice(0, 10);
}

async function sendCsv<T>(
  res: Response,
  filename: string,
  header: string[],
  rows: AsyncGenerator<T[]>,
  cells: (row: T) => CsvValue[],
): Promise<void> {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.write(CSV_BOM + csvLine(header));
  for await (const page of rows) {
    const ok = res.write(page.map((r) => csvLine(cells(r))).join(''));
    if (!ok) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

export { AUTH_TEXTS };
