import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import { isUniqueViolation, type Db } from '../ozmap-model/db/client.js';
import { audit, type Actor, type Role } from './audit.js';
import {
  DEFAULT_COST,
  dummyHash,
  generatePassword,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  needsRehash,
  verifyPassword,
  type ScryptCost,
} from './passwords.js';

export const ROLES: readonly Role[] = ['admin', 'sales'];

export interface SalesUserRecord {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  passwordChangedAt: string;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,39}$/;

type UserRow = Awaited<ReturnType<Db['salesUser']['findFirstOrThrow']>>;

export function userToJson(u: UserRow): SalesUserRecord {
  return {
    id: u.id,
    username: u.username,
    role: u.role as Role,
    disabled: u.disabledAt !== null,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    passwordChangedAt: u.passwordChangedAt.toISOString(),
  };
}

export function parseRole(value: unknown): Role {
  if (value === 'admin' || value === 'sales') return value;
  throw new ValidationError('role must be admin or sales', 'role');
}

function parseUsername(value: unknown): string {
  const username = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!USERNAME.test(username)) {
    throw new ValidationError(
      'username must be 2-40 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter or digit',
      'username',
    );
  }
  return username;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(
      `password must have at least ${MIN_PASSWORD_LENGTH} characters`,
      'password',
    );
  }
  if (password.length > 200)
    throw new ValidationError('password must have at most 200 characters', 'password');
}

export type LoginResult = { ok: true; user: UserRow } | { ok: false; reason: 'wrong' | 'disabled' };

/** The people who use the sales workspace. Every change is audited with its actor. */
export class SalesUsers {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly cost: ScryptCost = DEFAULT_COST,
  ) {}

  /** Creates a user; without a password one is generated and returned (shown once). */
  async create(
    input: { username: unknown; role: unknown; password?: string },
    actor: Actor,
  ): Promise<{ user: SalesUserRecord; password?: string }> {
    const username = parseUsername(input.username);
    const role = parseRole(input.role);
    const generated = input.password === undefined ? generatePassword() : undefined;
    const password = input.password ?? generated!;
    checkPassword(password);
    const passwordHash = await hashPassword(password, this.cost);
    const at = this.now();
    try {
      const user = await this.db.$transaction(async (tx) => {
        const created = await tx.salesUser.create({
          data: { id: newId(at.getTime()), username, role, passwordHash, passwordChangedAt: at },
        });
        await audit(
          tx,
          actor,
          {
            action: 'user.create',
            subjectType: 'user',
            subjectId: created.id,
            detail: { username, role },
          },
          at,
        );
        return created;
      });
      return { user: userToJson(user), ...(generated ? { password: generated } : {}) };
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(`username: ${username} already exists`, 'username');
      throw err;
    }
  }

  async list(): Promise<SalesUserRecord[]> {
    const rows = await this.db.salesUser.findMany({ orderBy: { username: 'asc' } });
    return rows.map(userToJson);
  }

  async find(ref: string): Promise<UserRow> {
    const user = await this.db.salesUser.findFirst({
      where: { OR: [{ id: ref }, { username: ref.trim().toLowerCase() }] },
    });
    if (!user) throw new NotFoundError('user', ref);
    return user;
  }

  /** Disables (or enables again) a user; disabling ends their sessions at once. */
  async setDisabled(ref: string, disabled: boolean, actor: Actor): Promise<SalesUserRecord> {
    const user = await this.find(ref);
    if (disabled && actor.type === 'user' && actor.id === user.id) {
      throw new ConflictError('you cannot disable your own user', 'username');
    }
    const at = this.now();
    const updated = await this.db.$transaction(async (tx) => {
      const row = await tx.salesUser.update({
        where: { id: user.id },
        data: { disabledAt: disabled ? at : null },
      });
      if (disabled) await tx.salesSession.deleteMany({ where: { userId: user.id } });
      await audit(
        tx,
        actor,
        {
          action: disabled ? 'user.disable' : 'user.enable',
          subjectType: 'user',
          subjectId: user.id,
          detail: { username: user.username },
        },
        at,
      );
      return row;
    });
    return userToJson(updated);
  }

  /** Sets a new password (generated when none is given) and ends the user's sessions. */
  async resetPassword(
    ref: string,
    actor: Actor,
    password?: string,
  ): Promise<{ user: SalesUserRecord; password?: string }> {
    const user = await this.find(ref);
    const generated = password === undefined ? generatePassword() : undefined;
    const next = password ?? generated!;
    checkPassword(next);
    const passwordHash = await hashPassword(next, this.cost);
    const at = this.now();
    const updated = await this.db.$transaction(async (tx) => {
      const row = await tx.salesUser.update({
        where: { id: user.id },
        data: { passwordHash, passwordChangedAt: at },
      });
      await tx.salesSession.deleteMany({ where: { userId: user.id } });
      await audit(
        tx,
        actor,
        {
          action: 'user.reset-password',
          subjectType: 'user',
          subjectId: user.id,
          detail: { username: user.username },
        },
        at,
      );
      return row;
    });
    return { user: userToJson(updated), ...(generated ? { password: generated } : {}) };
  }

  /** Checks a username and password; the same work is done whether or not the user exists. */
  async login(username: string, password: string): Promise<LoginResult> {
    const user = await this.db.salesUser.findUnique({
      where: { username: username.trim().toLowerCase() },
    });
    const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash(this.cost));
    if (!user || !ok) return { ok: false, reason: 'wrong' };
    if (user.disabledAt) return { ok: false, reason: 'disabled' };
    const at = this.now();
    const passwordHash = needsRehash(user.passwordHash, this.cost)
      ? await hashPassword(password, this.cost)
      : undefined;
    const updated = await this.db.salesUser.update({
      where: { id: user.id },
      data: { lastLoginAt: at, ...(passwordHash ? { passwordHash } : {}) },
    });
    return { ok: true, user: updated };
  }
}
