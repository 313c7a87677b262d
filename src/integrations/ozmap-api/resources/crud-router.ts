import { Router, type Request } from 'express';
import type { AppContext } from '../../../context.js';
import { NotFoundError } from '../../../errors.js';
import { ID_PATTERN } from '../../../ids.js';
import { parseListQuery } from '../query/list-query.js';
import { findOne, runList } from '../query/run-list.js';
import { applySelect } from '../query/envelope.js';
import type { ResourceDef } from './resource.js';

function idParam(req: Request, def: ResourceDef): string {
  const id = String(req.params.id);
  if (!ID_PATTERN.test(id)) throw new NotFoundError(def.label, id);
  return id;
}

/** GET list, GET by id, POST, PATCH and DELETE for one resource, as the OZmap API answers them. */
export function crudRouter(ctx: AppContext, def: ResourceDef): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseListQuery(req.query, req.body, def.fields, def.populatable);
    res.json(await runList(ctx, def, query));
  });
  router.get('/:id', async (req, res) => {
    const id = idParam(req, def);
    const query = parseListQuery(req.query, undefined, def.fields, def.populatable);
    const doc = await findOne(ctx, def, id, query.populate);
    if (!doc) throw new NotFoundError(def.label, id);
    res.json(applySelect(doc, query.select));
  });
  const { create, update, remove } = def;
  if (create) {
    router.post('/', async (req, res) => {
      const id = await create(ctx, req.body, req.principal);
      res.status(201).json(await findOne(ctx, def, id));
    });
  }
  if (update) {
    router.patch('/:id', async (req, res) => {
      await update(ctx, idParam(req, def), req.body);
      res.status(204).end();
    });
  }
  if (remove) {
    router.delete('/:id', async (req, res) => {
      await remove(ctx, idParam(req, def));
      res.status(204).end();
    });
  }
  return router;
}
