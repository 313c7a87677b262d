import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../../context.js';
import {
  apiKeyPrincipal,
  type ApiKeyIdentity,
  type ApiKeyPrincipal,
} from '../../ozmap-model/api-keys.js';
import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from '../../errors.js';
import { clientIp, limitMessage } from '../../http/rate-limit.js';
import { can, refusal, type Action } from '../../security/principal.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The API key that authenticated this request (set by {@link apiKeyAuth}). */
    principal?: ApiKeyPrincipal;
  }
}

/** What authentication needs from the context. */
export type AuthDeps = Pick<AppContext, 'apiKeys' | 'integrations' | 'rateLimits'>;

/** `Authorization: <key>` as OZmap sends it; `Bearer <key>` is accepted too. */
export function keyFromHeader(header: string | undefined): string | null {
  const value = header?.trim();
  if (!value) return null;
  const key = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '').trim() : value;
  return key || null;
}

// A verified identity is one object for as long as the verifier caches it: its principal is made
// once per identity and profile kind, not on every request of the hottest routes.
const principals = new WeakMap<ApiKeyIdentity, { kind: string; principal: ApiKeyPrincipal }>();

function principalOf(identity: ApiKeyIdentity, kind: string): ApiKeyPrincipal {
  const known = principals.get(identity);
  if (known?.kind === kind) return known.principal;
  const principal = Object.freeze(apiKeyPrincipal(identity, kind));
  principals.set(identity, { kind, principal });
  return principal;
}

const TOO_MANY_FAILURES = 'too many requests with a missing or wrong API key from this address';

/**
 * The principal of the request's API key; 401 when it is missing, wrong or revoked. Every request
 * counts against its address's limit, every failure against its address's failure limit (past it
 * even a right key waits, so guessing keys gets nowhere), every success against its key's limit.
 */
export async function authenticate(deps: AuthDeps, req: Request): Promise<ApiKeyPrincipal> {
  // Two routers on one path (the admin ones) check once, and count once.
  if (req.principal) return req.principal;
  const limits = deps.rateLimits;
  const ip = clientIp(req);
  await limits.apiPerIp.enforce(ip, 'too many requests from this address');
  const blocked = await limits.authFailuresPerIp.exhausted(ip);
  if (blocked !== undefined) {
    throw new TooManyRequestsError(limitMessage(TOO_MANY_FAILURES, blocked), blocked);
  }
  const key = keyFromHeader(req.headers.authorization);
  const identity = key ? await deps.apiKeys.verify(key) : null;
  if (!identity) {
    await limits.authFailuresPerIp.take(ip);
    throw new UnauthorizedError(
      key ? 'invalid or revoked API key' : 'missing API key: send it in the Authorization header',
    );
  }
  const profile = await deps.integrations.profile(identity.integration);
  const principal = principalOf(identity, profile.kind);
  await limits.apiPerKey.enforce(principal.keyId, 'too many requests for this API key');
  req.principal = principal;
  return principal;
}

export function apiKeyAuth(deps: AuthDeps): RequestHandler {
  return async (req, _res, next) => {
    await authenticate(deps, req);
    next();
  };
}

/** 403 unless the authenticated principal may do `action`. */
export function requireAction(action: Action | ((req: Request) => Action)): RequestHandler {
  return (req, _res, next) => {
    const principal = req.principal;
    if (!principal) throw new UnauthorizedError();
    const wanted = typeof action === 'function' ? action(req) : action;
    if (!can(principal, wanted)) throw new ForbiddenError(refusal(principal, wanted));
    next();
  };
}
