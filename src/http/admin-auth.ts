import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors.js';
import type { ApiKeyVerifier } from '../ozmap-model/api-keys.js';
import { authenticate } from '../integrations/ozmap-api/auth.js';

/**
 * Admin routes (WhatsApp pairing, chat hand-off release) need an API key of the `admin`
 * integration: `alcance apikey create --name ops --integration admin`.
 */
export function adminAuth(apiKeys: ApiKeyVerifier): RequestHandler {
  return async (req, _res, next) => {
    const principal = await authenticate(apiKeys, req);
    if (principal.integration !== 'admin')
      throw new ForbiddenError('this route needs an admin API key');
    next();
  };
}
