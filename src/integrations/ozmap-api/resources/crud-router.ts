import { Router, type Request } from 'express';
import type { AppContext } from '../../../context.js';
import { NotFoundError } from '../../../errors.js';
import { ID_PATTERN } from '../../../ids.js';
import { requireAction } from '../auth.js';
import { parseListQuery } from '../query/list-query.js';
import { findOne, runList } from '../query/run-list.js';
import { applySelect } from '../query/envelope.js';
import { clientGone } from '../../../http/client-gone.js';
import type { ResourceDef } from './resource.js';
import { present, requireVisible, viewOf } from './view.js';

function idParam(req: Request, def: ResourceDef): string {
  const id = String(req.params.id);
  if (!ID_PATTERN.test(id)) throw new NotFoundError(def.label, id);
  return id;
}

/**
 * GET list, GET by id, POST, PATCH and DELETE for one resource, as the OZmap API answers them:
 * reads need the `read` scope, writes the resource's write action; an integration key sees and
 * changes only its own customer records, and sees personal data masked without `pii`.
 */
export function crudRouter(ctx: AppContext, def: ResourceDef): Router {
  const router = Router();
  const writes = requireAction(def.writeAction ?? 'inventory:write');
  router.get('/', requireAction('read'), async (req, res) => {
    const query = parseListQuery(req.query, req.body, def.fields, def.populatable);
    res.json(await runList(ctx, def, query, viewOf(def, req.principal), clientGone(req, res)));
  });
  router.get('/:id', requireAction('read'), async (req, res) => {
    const id = idParam(req, def);
    const query = parseListQuery(req.query, undefined, def.fields, def.populatable);
    const doc = await findOne(ctx, def, id, query.populate, viewOf(def, req.principal));
    if (!doc) throw new NotFoundError(def.label, id);
    res.json(applySelect(doc, query.select));
  });
  const { create, update, remove } = def;
  if (create) {
    router.post('/', writes, async (req, res) => {
      const created = await create(ctx, req.body, req.principal);
      // The creator sees what it just made (a property without a client is no one's record yet).
      const view = { where: {}, mask: viewOf(def, req.principal).mask };
      res
        .status(201)
        .json(
          typeof created === 'string'
            ? await findOne(ctx, def, created, new Set(), view)
            : present(view, def.toJson(created.row, new Set(), ctx)),
        );
    });
  }
  if (update) {
    router.patch('/:id', writes, async (req, res) => {
      const id = idParam(req, def);
      await requireVisible(ctx.db, def, viewOf(def, req.principal), id);
      await update(ctx, id, req.body);
      res.status(204).end();
    });
  }
  if (remove) {
    router.delete('/:id', writes, async (req, res) => {
      const id = idParam(req, def);
      await requireVisible(ctx.db, def, viewOf(def, req.principal), id);
      await remove(ctx, id);
      res.status(204).end();
    });
  }
  return router;
}
