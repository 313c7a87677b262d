import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError, ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Actor, Role } from './audit.js';
import {
  readCookie,
  SESSION_COOKIE,
  sameToken,
  type SalesSessions,
  type SessionUser,
} from './sessions.js';
import { StaleError } from './stale.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The signed-in workspace user (set by {@link requireSession}). */
    salesUser?: SessionUser;
  }
}

export const CSRF_HEADER = 'x-csrf-token';

export const AUTH_TEXTS = {
  signIn: 'Entre com seu usuário e senha para continuar.',
  expired: 'Sua sessão expirou. Entre de novo para continuar.',
  forbidden: 'Seu perfil não tem acesso a esta área. Fale com um administrador.',
  csrf: 'A página ficou desatualizada. Recarregue e tente de novo.',
};

/** The signed-in user of this request, or 401 (with a pt-BR message the page shows). */
export function requireSession(sessions: SalesSessions): RequestHandler {
  return async (req, _res, next) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const user = await sessions.verify(token);
    if (!user) throw new UnauthorizedError(token ? AUTH_TEXTS.expired : AUTH_TEXTS.signIn);
    req.salesUser = user;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.salesUser || !roles.includes(req.salesUser.role))
      throw new ForbiddenError(AUTH_TEXTS.forbidden);
    next();
  };
}

/** The request's own origin, or the configured public one. */
function allowedOrigins(req: Request, publicUrl?: string): string[] {
  const own = `${req.protocol}://${req.get('host') ?? ''}`;
  return publicUrl ? [own, new URL(publicUrl).origin] : [own];
}

/** A cross-site page cannot post here: Origin must be ours (when sent). */
export function sameOrigin(publicUrl?: string): RequestHandler {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin && !allowedOrigins(req, publicUrl).includes(origin))
      throw new ForbiddenError(AUTH_TEXTS.csrf);
    next();
  };
}

/** Changes need the session's CSRF token in a header (a form on another site cannot send it). */
export const requireCsrf: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  const sent = req.get(CSRF_HEADER) ?? '';
  if (!req.salesUser || !sameToken(sent, req.salesUser.csrfToken))
    throw new ForbiddenError(AUTH_TEXTS.csrf);
  next();
};

export function actorOf(req: Request): Actor {
  const u = req.salesUser;
  if (u) return { type: 'user', id: u.userId, name: u.username, role: u.role };
  if (req.principal) return { type: 'apikey', id: req.principal.keyId, name: req.principal.name };
  throw new UnauthorizedError(AUTH_TEXTS.signIn);
}

/** The workspace's error handler: `{message, field?, current?}` (current: the fresh state on 409). */
export const salesErrorHandler: ErrorRequestHandler = (err: unknown, _req, res: Response, next) => {
  if (err instanceof AppError) {
    res.status(err.status).json({
      message: err.message,
      ...(err.field ? { field: err.field } : {}),
      ...(err instanceof StaleError ? { current: err.current } : {}),
    });
    return;
  }
  next(err);
};
