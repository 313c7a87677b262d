import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors.js';
import { authenticate, type AuthDeps } from '../integrations/ozmap-api/auth.js';
import { can, refusal } from '../security/principal.js';

/**
 * Admin routes (profiles, keys, WhatsApp pairing, chat hand-off release) need an API key whose
 * integration profile is of kind `admin` (whatever its name):
 * `alcance apikey create --name ops --integration admin`.
 */
export function adminAuth(deps: AuthDeps): RequestHandler {
  return async (req, _res, next) => {
    const principal = await authenticate(deps, req);
    if (!can(principal, 'admin')) throw new ForbiddenError(refusal(principal, 'admin'));
    next();
  };
}
