import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../ozmap-model/db/client.js';
import type { Role } from './audit.js';

export const SESSION_COOKIE = 'alcance_sales';
/** Sessions live at most this long, however active (a new sign-in is asked for then). */
const MAX_LIFETIME_MS = 7 * 24 * 3600_000;
/** lastSeenAt (and the sliding expiry) is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionUser {
  sessionId: string;
  userId: string;
  username: string;
  role: Role;
  csrfToken: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Sign-in sessions in the database, so every instance knows them. The cookie holds a random
 * token; the database holds its hash, the CSRF token and a sliding expiry (`idleMs` after the
 * last request, and never more than 7 days after sign-in).
 */
export class SalesSessions {
  constructor(
    private readonly db: Db,
    private readonly idleMs: number,
    private readonly now: () => Date,
  ) {}

  async create(userId: string): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const at = this.now();
    const expiresAt = new Date(at.getTime() + this.idleMs);
    await this.db.salesSession.create({
      data: { id: hashToken(token), userId, csrfToken, createdAt: at, lastSeenAt: at, expiresAt },
    });
    // Old sessions of anyone are swept now and then, at sign-in.
    await this.db.salesSession.deleteMany({ where: { expiresAt: { lt: at } } });
    return { token, csrfToken, expiresAt };
  }

  /** The signed-in user for a cookie token, or undefined (unknown, expired, user disabled). */
  async verify(token: string | undefined): Promise<SessionUser | undefined> {
    if (!token || token.length > 100) return undefined;
    const id = hashToken(token);
    const row = await this.db.salesSession.findUnique({ where: { id }, include: { user: true } });
    const at = this.now();
    if (!row || row.expiresAt <= at || row.user.disabledAt) return undefined;
    if (at.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      const cap = row.createdAt.getTime() + MAX_LIFETIME_MS;
      const expiresAt = new Date(Math.min(at.getTime() + this.idleMs, cap));
      await this.db.salesSession.updateMany({ where: { id }, data: { lastSeenAt: at, expiresAt } });
    }
    return {
      sessionId: id,
      userId: row.userId,
      username: row.user.username,
      role: row.user.role as Role,
      csrfToken: row.csrfToken,
    };
  }

  async destroy(sessionId: string): Promise<void> {
    await this.db.salesSession.deleteMany({ where: { id: sessionId } });
  }
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Set-Cookie for the session: httpOnly, SameSite=Strict, only under /sales. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/sales',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
