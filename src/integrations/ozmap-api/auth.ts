import type { Request, RequestHandler } from 'express';
import type { ApiKeyPrincipal, ApiKeyVerifier } from '../../ozmap-model/api-keys.js';
import { UnauthorizedError } from '../../errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The API key that authenticated this request (set by {@link apiKeyAuth}). */
    principal?: ApiKeyPrincipal;
  }
}

/** `Authorization: <key>` as OZmap sends it; `Bearer <key>` is accepted too. */
export function keyFromHeader(header: string | undefined): string | null {
  const value = header?.trim();
  if (!value) return null;
  const key = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '').trim() : value;
  return key || null;
}

/** The principal of the request's API key; 401 when it is missing, wrong or revoked. */
export async function authenticate(
  apiKeys: ApiKeyVerifier,
  req: Request,
): Promise<ApiKeyPrincipal> {
  const key = keyFromHeader(req.headers.authorization);
  if (!key) throw new UnauthorizedError('missing API key: send it in the Authorization header');
  const principal = await apiKeys.verify(key);
  if (!principal) throw new UnauthorizedError('invalid or revoked API key');
  req.principal = principal;
  return principal;
}

export function apiKeyAuth(apiKeys: ApiKeyVerifier): RequestHandler {
  return async (req, _res, next) => {
    await authenticate(apiKeys, req);
    next();
  };
}
