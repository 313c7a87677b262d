import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { ApiKeyVerifier } from '../ozmap-model/api-keys.js';
import { keyFromHeader } from '../integrations/ozmap-api/auth.js';

/**
 * Admin routes (WhatsApp pairing, chat hand-off release) need an API key of the `admin`
 * integration: `alcance apikey create --name ops --integration admin`.
 */
export function adminAuth(apiKeys: ApiKeyVerifier): RequestHandler {
  return async (req, _res, next) => {
    const key = keyFromHeader(req.headers.authorization);
    if (!key) throw new UnauthorizedError('missing API key: send it in the Authorization header');
    const principal = await apiKeys.verify(key);
    if (!principal) throw new UnauthorizedError('invalid or revoked API key');
    if (principal.integration !== 'admin')
      throw new ForbiddenError('this route needs an admin API key');
    req.principal = principal;
    next();
  };
}
