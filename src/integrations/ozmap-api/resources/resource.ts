import type { z } from 'zod';
import type { AppContext } from '../../../context.js';
import type { Db } from '../../../ozmap-model/db/client.js';
import type { ApiKeyPrincipal } from '../../../ozmap-model/api-keys.js';
import type { FieldTable } from '../query/fields.js';
import type { Row, Where } from '../query/translate.js';
import type { Doc } from '../mappers/common.js';
import type { Action } from '../../../security/principal.js';

export interface FindArgs {
  where: Where;
  orderBy: Array<Record<string, 'asc' | 'desc'>>;
  skip?: number;
  take?: number;
  populate: ReadonlySet<string>;
}

/** A created record with the row it was written as (unpopulated). */
export interface Created<R extends Row = Row> {
  id: string;
  row: R;
}

/**
 * One OZmap collection: how to read it (generic list/find), how to show a row, and the writes it
 * supports. The generic router (crud-router.ts) serves every resource from this description.
 */
export interface ResourceDef<R extends Row = Row> {
  /** Path segment under /api/v2, e.g. `boxes`. */
  route: string;
  /** Singular noun for messages, e.g. `box`. */
  label: string;
  fields: FieldTable;
  populatable?: readonly string[];
  findMany: (db: Db, args: FindArgs) => Promise<R[]>;
  count: (db: Db, where: Where) => Promise<number>;
  /** `ctx` for documents that show live state (a condominium's boxes). */
  toJson: (row: R, populate: ReadonlySet<string>, ctx?: AppContext) => Doc;
  /** What a POST/PATCH/DELETE needs: `write` for customers, `inventory:write` (default) for the network. */
  writeAction?: Action;
  /** Customer records: an integration key sees only those `ownedBy` its profile. */
  ownedBy?: (owner: string) => Where;
  /** Documents carry CPF/phone/e-mail, masked for principals without the `pii` scope. */
  personalData?: boolean;
  /** The body schemas of POST and PATCH (the fuzz suite generates bad input from them). */
  schemas?: { create?: z.ZodType; update?: z.ZodType };
  /**
   * Creates from a request body; returns the new id, or the id with the row as `findMany` would
   * read it (the answer then needs no read-back). `principal` is the calling API key.
   */
  create?: (
    ctx: AppContext,
    body: unknown,
    principal?: ApiKeyPrincipal,
  ) => Promise<string | Created<R>>;
  update?: (ctx: AppContext, id: string, body: unknown) => Promise<void>;
  remove?: (ctx: AppContext, id: string) => Promise<void>;
}

/** Erases the row type so resources of different models sit in one list. */
export function defineResource<R extends Row>(def: ResourceDef<R>): ResourceDef {
  return def as unknown as ResourceDef;
}
